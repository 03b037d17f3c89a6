// Delivers webhook events: a POST of `{event, time, data}` signed with HMAC-SHA256 of the raw body
// (`X-Streamwell-Signature: sha256=<hex>`), retried after a failure (no answer in 5 s, or not 2xx)
// with a backoff doubling from `retryBaseMs` to 60 s, for up to 10 minutes after the event.
// Every attempt is recorded. A slow or dead receiver never slows the node: sends run apart from
// whatever published the event, at most MAX_IN_FLIGHT at once, and at most MAX_QUEUED
// deliveries wait (past that the oldest waiting is dropped, and recorded as dropped).
// The scheduler leader runs the only deliverer that is fed (services/webhooks.service.ts), so an
// event is delivered once per mesh. Retries pending when that node dies are lost with it.
import { createHmac, randomUUID } from "node:crypto";
import type { DeliveryRecord, WebhookRecord } from "../catalog/webhooks.js";

export const SIGNATURE_HEADER = "x-streamwell-signature";
const TIMEOUT_MS = 5_000;
const MAX_BACKOFF_MS = 60_000;
const GIVE_UP_AFTER_MS = 10 * 60_000;
const MAX_IN_FLIGHT = 4;
const MAX_QUEUED = 1_000;

export interface DelivererParent {
  readonly retryBaseMs: number;
  record(webhookId: string, attempt: DeliveryRecord): Promise<void>;
  warn(details: Record<string, unknown>, message: string): void;
}

interface Delivery {
  readonly id: string;
  readonly webhook: Pick<WebhookRecord, "id" | "url" | "secret">;
  readonly event: string;
  readonly body: string;
  readonly since: number;
  attempt: number;
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export class Deliverer {
  private readonly queue: Delivery[] = [];
  private inFlight = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly parent: DelivererParent) {}

  /** Queues one delivery of `event` to each webhook; returns at once. */
  publish(
    webhooks: readonly Pick<WebhookRecord, "id" | "url" | "secret">[],
    event: string,
    data: object,
  ): void {
    const time = new Date().toISOString();
    const body = JSON.stringify({ event, time, data });
    for (const webhook of webhooks) {
      this.enqueue({ id: randomUUID(), webhook, event, body, since: Date.now(), attempt: 0 });
    }
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
  }

  private enqueue(delivery: Delivery): void {
    if (this.closed) return;
    this.queue.push(delivery);
    if (this.queue.length > MAX_QUEUED) {
      const dropped = this.queue.shift() as Delivery;
      void this.record(dropped, null, "dropped: too many deliveries waiting");
    }
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const delivery = this.queue.shift() as Delivery;
      this.inFlight += 1;
      void this.send(delivery).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async send(delivery: Delivery): Promise<void> {
    delivery.attempt += 1;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(delivery.webhook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Streamwell-Webhook",
          [SIGNATURE_HEADER]: signature(delivery.webhook.secret, delivery.body),
        },
        body: delivery.body,
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = response.status;
      await response.body?.cancel();
      if (status < 200 || status > 299) error = `answered ${status}`;
    } catch (cause) {
      error = (cause as Error).name === "TimeoutError" ? "no answer within 5 s" : "could not connect";
    }
    await this.record(delivery, status, error);
    if (error !== null) this.retryLater(delivery);
  }

  private retryLater(delivery: Delivery): void {
    const wait = Math.min(this.parent.retryBaseMs * 2 ** (delivery.attempt - 1), MAX_BACKOFF_MS);
    if (Date.now() + wait - delivery.since > GIVE_UP_AFTER_MS || this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(delivery);
    }, wait);
    timer.unref();
    this.timers.add(timer);
  }

  private async record(delivery: Delivery, status: number | null, error: string | null): Promise<void> {
    const attempt: DeliveryRecord = {
      time: new Date().toISOString(),
      deliveryId: delivery.id,
      event: delivery.event,
      attempt: delivery.attempt,
      status,
      ok: error === null,
      error,
    };
    await this.parent.record(delivery.webhook.id, attempt).catch((cause: unknown) => {
      this.parent.warn({ err: cause, webhookId: delivery.webhook.id }, "could not record a webhook delivery");
    });
  }
}
