// Webhooks (admins): where restream and channel events are POSTed, signed with each webhook's
// secret; every delivery attempt in its log, and a test event on demand.
import { api } from "../../api/client";
import type { Webhook } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";
import { PageTitle } from "../../components/PageTitle";
import { useResource } from "../../hooks/useResource";
import { WebhookForm } from "./WebhookForm";
import { WebhookItem } from "./WebhookItem";

export function WebhooksPage() {
  const webhooks = useResource(api.webhooks.list, "webhooks");
  const replace = (next: Webhook) =>
    webhooks.setData((items) => items?.map((item) => (item.id === next.id ? next : item)));

  return (
    <>
      <PageTitle title="Webhooks">Webhooks</PageTitle>
      <p className="hint">
        Each event is a POST of JSON with <code>X-Streamwell-Signature: sha256=…</code>, the HMAC-SHA256 of
        the raw body with the webhook's secret. A failed delivery is retried for 10 minutes.
      </p>
      <ErrorMessage error={webhooks.error} />
      {webhooks.data?.length === 0 && <p>No webhooks yet.</p>}
      <ul className="cards">
        {webhooks.data?.map((webhook) => (
          <WebhookItem
            key={webhook.id}
            webhook={webhook}
            onSaved={replace}
            onDeleted={() => webhooks.setData((items) => items?.filter((item) => item.id !== webhook.id))}
          />
        ))}
      </ul>
      <section className="panel" aria-labelledby="new-webhook-title">
        <h2 id="new-webhook-title">Add webhook</h2>
        <WebhookForm
          submitLabel="Add webhook"
          save={(input) => api.webhooks.create({ ...input, secret: input.secret ?? "" })}
          onSaved={(created) => webhooks.setData((items) => [...(items ?? []), created])}
        />
      </section>
    </>
  );
}
