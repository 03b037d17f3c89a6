// Webhooks (admin): where to POST which events, and the secret that signs them. The secret is a
// sealed field at rest (catalog/secret-fields.ts) and never leaves through a view. Each webhook's
// delivery attempts are kept in a ring of the last 100 (the history's ring, its own prefix).

import { NotFoundError } from "../defs/errors.js";
import { HistoryLog } from "../history/history-log.js";
import { newId } from "../kit/ids.js";
import { mutate } from "../store/mutate.js";
import type { Store } from "../store/store.js";
import { keys } from "./records.js";

export const WEBHOOK_EVENTS = ["restream.state", "channel.live"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookRecord {
  readonly id: string;
  readonly url: string;
  readonly events: readonly WebhookEvent[];
  readonly secret: string;
  readonly createdAt: string;
}

/** One attempt to deliver one event. */
export interface DeliveryRecord {
  readonly time: string;
  readonly deliveryId: string;
  readonly event: string;
  readonly attempt: number;
  /** The receiver's HTTP status; null when it did not answer. */
  readonly status: number | null;
  readonly ok: boolean;
  readonly error: string | null;
}

export class Webhooks {
  readonly deliveries: HistoryLog<DeliveryRecord>;

  constructor(private readonly store: Store) {
    this.deliveries = new HistoryLog<DeliveryRecord>(
      store,
      async (id) => (await store.get(keys.webhook(id))) !== undefined,
      { prefix: "deliveries", maxEntries: 100, segmentEntries: 20 },
    );
  }

  async create(input: Omit<WebhookRecord, "id" | "createdAt">): Promise<WebhookRecord> {
    const webhook = { ...input, id: newId("wh"), createdAt: new Date().toISOString() };
    await this.store.create(keys.webhook(webhook.id), webhook);
    return webhook;
  }

  async get(id: string): Promise<WebhookRecord> {
    const entry = await this.store.get<WebhookRecord>(keys.webhook(id));
    if (!entry) throw new NotFoundError(`webhook ${id} not found`);
    return entry.value;
  }

  async list(): Promise<WebhookRecord[]> {
    return (await this.store.list<WebhookRecord>(keys.webhooks)).map((entry) => entry.value);
  }

  /** A changed URL, event list or secret applies to the next delivery; those queued keep theirs. */
  update(id: string, change: Partial<Omit<WebhookRecord, "id" | "createdAt">>): Promise<WebhookRecord> {
    return mutate<WebhookRecord>(
      this.store,
      keys.webhook(id),
      (current) => ({ ...current, ...change }),
      () => new NotFoundError(`webhook ${id} not found`),
    );
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.delete(keys.webhook(id));
    await this.deliveries.remove(id);
  }
}

/** What lists and answers show: never the secret. */
export function webhookView({ secret: _secret, ...webhook }: WebhookRecord) {
  return webhook;
}
