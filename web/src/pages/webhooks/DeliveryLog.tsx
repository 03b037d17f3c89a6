// A webhook's delivery log: each attempt (newest first) with its time, event, attempt number and
// the receiver's status or what went wrong; read while open.
import { useCallback } from "react";
import { api } from "../../api/client";
import type { WebhookDelivery } from "../../api/types";
import { usePolledWhileOpen } from "../../hooks/usePolledWhileOpen";

function result(delivery: WebhookDelivery): string {
  if (delivery.ok) return `${delivery.status} OK`;
  return delivery.error ?? `answered ${delivery.status}`;
}

interface DeliveryLogProps {
  readonly webhookId: string;
  readonly open: boolean;
  readonly onToggle: (open: boolean) => void;
}

export function DeliveryLog({ webhookId, open, onToggle }: DeliveryLogProps) {
  const read = useCallback(() => api.webhooks.deliveries(webhookId), [webhookId]);
  const { data: items, failed } = usePolledWhileOpen(read, open);

  return (
    <details className="log" open={open} onToggle={(event) => onToggle(event.currentTarget.open)}>
      <summary>Delivery log</summary>
      {failed && <p className="error">The delivery log cannot be read now.</p>}
      {items?.length === 0 && <p>No deliveries yet.</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Attempt</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {items.map((delivery) => (
                <tr key={`${delivery.deliveryId}-${delivery.attempt}`}>
                  <td>
                    <time dateTime={delivery.time}>{new Date(delivery.time).toLocaleString()}</time>
                  </td>
                  <td>{delivery.event}</td>
                  <td>{delivery.attempt}</td>
                  <td className={delivery.ok ? undefined : "error"}>{result(delivery)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
