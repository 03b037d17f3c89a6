// streamwell.webhooks (admin): webhooks and their delivery logs. Every node runs it; only the
// scheduler leader turns the mesh's broadcast events into deliveries, so each event is
// delivered once per mesh (node/webhooks/deliverer.ts sends, retries and records).

import type { Context, ServiceSchema } from "moleculer";
import type { Catalog } from "../node/catalog/catalog.js";
import { type WebhookEvent, webhookView } from "../node/catalog/webhooks.js";
import type { ActorReport } from "../node/defs/restream-status.js";
import type { Logger } from "../node/kit/log.js";
import { Deliverer } from "../node/webhooks/deliverer.js";
import { action, created, noContent } from "./action.js";
import { EVENTS, type IngestLive, type IngestOffline, type RestreamReportEvent } from "./events.js";
import { isSchedulerLeader, liveIngests } from "./mesh-view.js";
import * as schemas from "./schemas/resources.js";

// The catalog is read when an action or event runs, never at construction: the OpenAPI document is
// built from services constructed with the config alone (services/api/openapi-offline.ts).
export interface WebhooksDeps {
  readonly catalog: Catalog;
  readonly log: Logger;
  /** The first retry's delay (config webhookRetryBaseMs), doubling after. */
  readonly retryBaseMs: number;
}

export function webhooksService({ catalog, log, retryBaseMs }: WebhooksDeps): ServiceSchema {
  /** Appends to one webhook's log one at a time (its ring is compare-and-set). */
  const recording = new Map<string, Promise<void>>();
  const deliverer = new Deliverer({
    retryBaseMs,
    record: (webhookId, attempt) => {
      const next = (recording.get(webhookId) ?? Promise.resolve()).then(() =>
        catalog.webhooks.deliveries.append(webhookId, [attempt]),
      );
      recording.set(
        webhookId,
        next.catch(() => {}),
      );
      return next;
    },
    warn: (details, message) => log.warn(details, message),
  });
  /** restreamId -> the last state delivered, so a repeated report is not an event. */
  const lastState = new Map<string, string>();

  async function publish(event: WebhookEvent, data: object): Promise<void> {
    const targets = (await catalog.webhooks.list()).filter((webhook) => webhook.events.includes(event));
    if (targets.length > 0) deliverer.publish(targets, event, data);
  }

  async function restreamState(restreamId: string, report: ActorReport): Promise<void> {
    const signature = `${report.state}/${report.error?.code ?? ""}`;
    if (lastState.get(restreamId) === signature) return;
    lastState.set(restreamId, signature);
    const restream = await catalog.restreams.get(restreamId);
    const error = report.error && { code: report.error.code, message: report.error.message };
    await publish("restream.state", {
      restreamId,
      channelId: restream.channelId,
      name: restream.name,
      state: report.state,
      error,
      node: report.node,
    });
  }

  async function channelLive(channelId: string, live: boolean, node: string): Promise<void> {
    const channel = await catalog.channels.get(channelId);
    await publish("channel.live", { channelId, name: channel.name, live, node });
  }

  /** Runs an event's delivery on the leader only; a failure (e.g. a deleted restream) is logged. */
  function onLeader(ctx: Context, work: () => Promise<void>): void {
    if (!isSchedulerLeader(ctx.broker)) return;
    work().catch((error: unknown) => log.warn({ err: error }, "could not publish a webhook event"));
  }

  return {
    name: "streamwell.webhooks",
    actions: {
      list: action({
        access: "admin",
        input: schemas.webhooks.list,
        summary: "List webhooks (never their secrets)",
        async handler() {
          return { items: (await catalog.webhooks.list()).map(webhookView) };
        },
      }),
      create: action({
        access: "admin",
        input: schemas.webhooks.create,
        summary: "Add a webhook: its URL (http or https), the events it gets and the secret that signs them",
        async handler(ctx) {
          const webhook = await catalog.webhooks.create(ctx.params);
          return created(ctx, `/webhooks/${webhook.id}`, webhookView(webhook));
        },
      }),
      update: action({
        access: "admin",
        input: schemas.webhooks.update,
        summary: "Change a webhook's URL, events or secret (only what is given)",
        async handler(ctx) {
          const { id, ...change } = ctx.params;
          return webhookView(await catalog.webhooks.update(id, change));
        },
      }),
      remove: action({
        access: "admin",
        input: schemas.webhooks.remove,
        summary: "Delete a webhook and its delivery log",
        async handler(ctx) {
          await catalog.webhooks.delete(ctx.params.id);
          return noContent(ctx);
        },
      }),
      deliveries: action({
        access: "admin",
        input: schemas.webhooks.deliveries,
        summary: "The webhook's last 100 delivery attempts, newest first, with the receiver's status",
        async handler(ctx) {
          await catalog.webhooks.get(ctx.params.id);
          return { items: await catalog.webhooks.deliveries.read(ctx.params.id) };
        },
      }),
      test: action({
        access: "admin",
        input: schemas.webhooks.test,
        summary: 'Send the webhook a "test" event now (recorded in its delivery log)',
        async handler(ctx) {
          const webhook = await catalog.webhooks.get(ctx.params.id);
          deliverer.publish([webhook], "test", { webhookId: webhook.id });
          return { queued: true };
        },
      }),
    },
    events: {
      [EVENTS.restreamReport](ctx: Context<RestreamReportEvent>) {
        const { restreamId, report } = ctx.params;
        if (report === null) return;
        onLeader(ctx, () => restreamState(restreamId, report));
      },
      [EVENTS.ingestLive](ctx: Context<IngestLive>) {
        onLeader(ctx, () => channelLive(ctx.params.channelId, true, ctx.params.nodeID));
      },
      [EVENTS.ingestOffline](ctx: Context<IngestOffline>) {
        onLeader(ctx, async () => {
          // Still live elsewhere: the other input of a channel with a backup, or a publisher that moved.
          if ((await liveIngests(ctx.broker)).has(ctx.params.channelId)) return;
          await channelLive(ctx.params.channelId, false, ctx.params.nodeID);
        });
      },
    },
    stopped() {
      deliverer.close();
    },
  };
}
