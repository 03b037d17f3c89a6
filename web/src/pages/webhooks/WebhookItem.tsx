// One webhook: its URL and events, send a test event (which opens the delivery log, where its
// attempts appear), edit, delete.
import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { Webhook } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { DeliveryLog } from "./DeliveryLog";
import { WebhookForm } from "./WebhookForm";

interface WebhookItemProps {
  readonly webhook: Webhook;
  readonly onSaved: (webhook: Webhook) => void;
  readonly onDeleted: () => void;
}

export function WebhookItem({ webhook, onSaved, onDeleted }: WebhookItemProps) {
  const [editing, setEditing] = useState(false);
  const [logOpen, setLogOpen] = useState(false);
  const [notice, setNotice] = useState("");
  const [error, setError] = useState<ApiError>();
  const { url } = webhook;

  const act = async (work: () => Promise<void>) => {
    try {
      await work();
      setError(undefined);
    } catch (reason) {
      setError(reason as ApiError);
    }
  };
  const sendTest = () =>
    act(async () => {
      await api.webhooks.test(webhook.id);
      setNotice("Test event sent: its attempts appear in the delivery log.");
      setLogOpen(true);
    });
  const remove = () =>
    act(async () => {
      await api.webhooks.remove(webhook.id);
      onDeleted();
    });

  return (
    <li className="card" aria-labelledby={`${webhook.id}-url`}>
      <h3 id={`${webhook.id}-url`} className="webhook-url">
        {url}
      </h3>
      <p>Events: {webhook.events.join(", ")}</p>
      {editing ? (
        <WebhookForm
          initial={webhook}
          submitLabel="Save webhook"
          save={(change) => api.webhooks.update(webhook.id, change)}
          onSaved={(saved) => {
            setEditing(false);
            onSaved(saved);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <div className="actions">
          <button type="button" className="small" onClick={sendTest}>
            Send test event<span className="visually-hidden"> to {url}</span>
          </button>
          <button type="button" className="small" onClick={() => setEditing(true)}>
            Edit<span className="visually-hidden"> {url}</span>
          </button>
          <ConfirmButton question={`Delete webhook ${url}?`} confirmLabel="Delete" onConfirm={remove}>
            Delete<span className="visually-hidden"> {url}</span>
          </ConfirmButton>
        </div>
      )}
      <p role="status" className="hint">
        {notice}
      </p>
      <ErrorMessage error={error} />
      <DeliveryLog webhookId={webhook.id} open={logOpen} onToggle={setLogOpen} />
    </li>
  );
}
