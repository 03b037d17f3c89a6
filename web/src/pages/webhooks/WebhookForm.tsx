// Adds or edits a webhook: URL, events and secret. The secret is write-only: an edit leaves it
// as it is unless a new one is typed. The API's validation messages appear under their fields.
import { type FormEvent, useState } from "react";
import type { ApiError } from "../../api/client";
import type { Webhook, WebhookEvent } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Field } from "../../components/Field";
import { EventChoices } from "./EventChoices";

/** What the form sends: the secret only when one was typed. */
export interface WebhookFields {
  readonly url: string;
  readonly events: WebhookEvent[];
  readonly secret?: string;
}

interface WebhookFormProps {
  readonly initial?: Webhook;
  readonly submitLabel: string;
  readonly save: (input: WebhookFields) => Promise<Webhook>;
  readonly onSaved: (webhook: Webhook) => void;
  readonly onCancel?: () => void;
}

const SHOWN_FIELDS = ["url", "events", "secret"];

export function WebhookForm({ initial, submitLabel, save, onSaved, onCancel }: WebhookFormProps) {
  const [url, setUrl] = useState(initial?.url ?? "");
  const [events, setEvents] = useState<WebhookEvent[]>(initial ? [...initial.events] : ["restream.state"]);
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<ApiError>();
  const fields = error?.fields ?? {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      onSaved(await save(initial && secret === "" ? { url, events } : { url, events, secret }));
      setError(undefined);
      setSecret("");
      if (!initial) {
        setUrl("");
        setEvents(["restream.state"]);
      }
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <form onSubmit={submit} aria-label={submitLabel}>
      <Field
        label="URL"
        required
        type="url"
        value={url}
        error={fields.url}
        placeholder="https://example.com/streamwell-hook"
        hint="http:// or https://"
        onChange={(change) => setUrl(change.target.value)}
      />
      <EventChoices events={events} onChange={setEvents} error={fields.events} />
      <Field
        label="Secret"
        type="password"
        required={!initial}
        autoComplete="new-password"
        value={secret}
        error={fields.secret}
        hint={
          initial
            ? "Leave empty to keep the current secret."
            : "At least 16 characters; the receiver checks signatures with it. Not shown again."
        }
        onChange={(change) => setSecret(change.target.value)}
      />
      <ErrorMessage error={error} shownFields={SHOWN_FIELDS} />
      <div className="actions">
        <button type="submit">{submitLabel}</button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
