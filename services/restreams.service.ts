// streamwell.restreams: a channel's restreams, managed by the channel's owner or an admin.
// start/stop set the desired state; the observed state comes from node/defs/restream-status.ts.

import type { Context, Service, ServiceSchema } from "moleculer";
import { canManageChannel } from "../node/auth/policy.js";
import type { Catalog } from "../node/catalog/catalog.js";
import type { ChannelRecord, Desired, RestreamRecord } from "../node/catalog/records.js";
import { type PublicEndpoints, restreamView } from "../node/catalog/views.js";
import { ForbiddenError } from "../node/defs/errors.js";
import type { HistoryRecorder } from "../node/history/history-recorder.js";
import { restreamHistory } from "../node/history/restream-history.js";
import { createdStatus, type RestreamWithStatus, statusesOf } from "../node/restreams/statuses.js";
import { restreamWarnings } from "../node/restreams/warnings.js";
import { type ActionContext, action, callerOf, created, noContent } from "./action.js";
import { defineService } from "./define.js";
import { EVENTS, type ResourceChanged, type RestreamReportEvent } from "./events.js";
import { serve, VIEW_CALLS } from "./mesh-calls.js";
import { MeshReports } from "./mesh-reports.js";
import { actorLogs, liveIngests } from "./mesh-view.js";
import * as schemas from "./schemas/resources.js";

export interface RestreamsDeps {
  readonly catalog: Catalog;
  /** Records the starts and stops made through this node. */
  readonly history: Pick<HistoryRecorder, "record" | "forget">;
  readonly endpoints: PublicEndpoints;
}

export function restreamsService({ catalog, endpoints, history }: RestreamsDeps): ServiceSchema {
  /** The actors' reports, kept from the nodes' events (mesh-reports.ts); set in created(). */
  let reports: MeshReports;

  async function viewsWith(
    ctx: ActionContext<unknown>,
    statuses: readonly RestreamWithStatus[],
    withSecrets: boolean,
  ) {
    // The mesh is asked what is live only when a warning could come of it.
    const ingests = statuses.some(({ destination }) => destination?.preset)
      ? await liveIngests((ctx as Context).broker)
      : new Map();
    return statuses.map(({ restream, destination, status }) => {
      const warnings = restreamWarnings(destination, ingests.get(restream.channelId), restream.output);
      return restreamView(restream, status, { endpoints, withSecrets, warnings });
    });
  }
  type View = Awaited<ReturnType<typeof viewsWith>>[number];

  /** Views with the state each actor reports (from the cache; counters asked of the nodes that stream them). */
  async function views(
    ctx: ActionContext<unknown>,
    restreams: readonly RestreamRecord[],
    withSecrets: boolean,
  ) {
    const reported = await reports.reportsOf(restreams.map((restream) => restream.id));
    return viewsWith(ctx, await statusesOf(catalog, restreams, (id) => reported.get(id)), withSecrets);
  }

  async function view(ctx: ActionContext<unknown>, restream: RestreamRecord, withSecrets: boolean) {
    const [one] = await views(ctx, [restream], withSecrets);
    if (!one) throw new Error("a restream without its view");
    return one;
  }

  /** Tells server-sent-event listeners that a restream changed (`deleted`: whose it was). */
  function changed(
    ctx: ActionContext<unknown>,
    restream: RestreamRecord,
    deleted?: { ownerId: string },
  ): void {
    const event: ResourceChanged & { channelId: string } = { id: restream.id, channelId: restream.channelId };
    void ctx.broadcast(EVENTS.restreamChanged, deleted ? { ...event, deleted } : event);
  }

  async function assertChannelManageable(
    ctx: ActionContext<unknown>,
    channelId: string,
  ): Promise<ChannelRecord> {
    const channel = await catalog.channels.get(channelId);
    if (!canManageChannel(callerOf(ctx), channel))
      throw new ForbiddenError("only the channel's owner or an admin");
    return channel;
  }

  async function manageable(ctx: ActionContext<unknown>, id: string): Promise<RestreamRecord> {
    const restream = await catalog.restreams.get(id);
    await assertChannelManageable(ctx, restream.channelId);
    return restream;
  }

  /** A user started or stopped restreams: their states now go into their history, and to listeners. */
  function userChanged(ctx: ActionContext<unknown>, restreams: readonly RestreamRecord[], shown: View[]) {
    for (const restream of restreams) {
      changed(ctx, restream);
      const view = shown.find((one) => one.id === restream.id);
      if (view) history.record(restream.id, view.state, view.error);
    }
  }

  /** Starts or stops every restream of a channel; answers all of them, and which were left alone. */
  async function setAll(ctx: ActionContext<{ channelId: string }>, desired: Desired) {
    const { channelId } = ctx.params;
    await assertChannelManageable(ctx, channelId);
    const { changed: done, skipped } = await catalog.setChannelDesired(channelId, desired);
    const items = await views(ctx, await catalog.restreams.shownForChannel(channelId), false);
    userChanged(ctx, done, items);
    return { items, skipped };
  }

  async function setOne(ctx: ActionContext<{ id: string }>, desired: Desired) {
    await manageable(ctx, ctx.params.id);
    const restream =
      desired === "started"
        ? await catalog.startRestream(ctx.params.id)
        : await catalog.restreams.setDesired(ctx.params.id, "stopped");
    const shown = await view(ctx, restream, false);
    userChanged(ctx, [restream], [shown]);
    return shown;
  }

  const service = defineService("streamwell.restreams", {
    listByChannel: action({
      access: "user",
      input: schemas.restreams.listByChannel,
      summary: "List a channel's restreams with their states",
      async handler(ctx) {
        await assertChannelManageable(ctx, ctx.params.channelId);
        const restreams = await catalog.restreams.shownForChannel(ctx.params.channelId);
        return { items: await views(ctx, restreams, false) };
      },
    }),
    create: action({
      access: "user",
      input: schemas.restreams.create,
      summary: "Add a restream: to a saved destination with a stream key, an SRT Push, or a Remote Playback",
      async handler(ctx) {
        const { channelId, ...input } = ctx.params;
        const channel = await assertChannelManageable(ctx, channelId);
        const { restream, destination } = await catalog.addRestream(channel, input);
        changed(ctx, restream);
        // The answer is built from what the creation read and wrote: nothing is read again for it.
        const [shown] = await viewsWith(ctx, [createdStatus(restream, destination)], true);
        return created(ctx, `/restreams/${restream.id}`, shown);
      },
    }),
    get: action({
      access: "user",
      input: schemas.restreams.get,
      summary: "Get a restream (a Remote Playback's URL with its passphrase)",
      async handler(ctx) {
        return view(ctx, await manageable(ctx, ctx.params.id), true);
      },
    }),
    summary: action({
      access: "user",
      input: schemas.restreams.get,
      summary: "A restream as lists show it, without secrets (used by server-sent events)",
      async handler(ctx) {
        return view(ctx, await manageable(ctx, ctx.params.id), false);
      },
    }),
    eventView: serve(VIEW_CALLS.restream, async ({ id }, ctx) => {
      const restream = await catalog.restreams.get(id);
      const { ownerId } = await catalog.channels.get(restream.channelId);
      return { ownerId, view: await view(ctx as ActionContext<unknown>, restream, false) };
    }),
    update: action({
      access: "user",
      input: schemas.restreams.update,
      summary:
        "Change a restream's name, destination, stream key or SRT URL; a running push restarts with it",
      async handler(ctx) {
        const { id, ...change } = ctx.params;
        await manageable(ctx, id);
        const restream = await catalog.updateRestream(id, change);
        changed(ctx, restream);
        return view(ctx, restream, false);
      },
    }),
    remove: action({
      access: "user",
      input: schemas.restreams.remove,
      summary: "Delete a restream (stops it first)",
      async handler(ctx) {
        const restream = await catalog.restreams.get(ctx.params.id);
        const { ownerId } = await assertChannelManageable(ctx, restream.channelId);
        await catalog.deleteRestream(ctx.params.id);
        history.forget(restream.id);
        changed(ctx, restream, { ownerId });
        return noContent(ctx);
      },
    }),
    start: action({
      access: "user",
      input: schemas.restreams.start,
      summary: "Start: streams now if the channel is live, else waits for it (Awaiting Stream)",
      handler: (ctx) => setOne(ctx, "started"),
    }),
    stop: action({
      access: "user",
      input: schemas.restreams.stop,
      summary: "Stop a restream",
      handler: (ctx) => setOne(ctx, "stopped"),
    }),
    startAll: action({
      access: "user",
      input: schemas.restreams.startAll,
      summary:
        "Start every restream of the channel; those a feature switch keeps off stay stopped and are listed in `skipped`",
      handler: (ctx) => setAll(ctx, "started"),
    }),
    stopAll: action({
      access: "user",
      input: schemas.restreams.stopAll,
      summary: "Stop every restream of the channel",
      handler: (ctx) => setAll(ctx, "stopped"),
    }),
    history: action({
      access: "user",
      input: schemas.restreams.history,
      summary:
        "The restream's state changes and its channel's live/offline, newest first (the last 1,000 of each)",
      async handler(ctx) {
        const restream = await manageable(ctx, ctx.params.id);
        return { items: await restreamHistory(catalog.history, restream) };
      },
    }),
    logs: action({
      access: "user",
      input: schemas.restreams.logs,
      summary: "The restream engine's recent log lines (secrets redacted)",
      async handler(ctx) {
        await manageable(ctx, ctx.params.id);
        return actorLogs((ctx as Context).broker, ctx.params.id);
      },
    }),
  });
  return {
    ...service,
    events: {
      [EVENTS.restreamReport](ctx: Context<RestreamReportEvent>) {
        reports.event(ctx.params);
      },
      "$node.connected"(ctx: Context<{ node: { id: string } }>) {
        reports.joined(ctx.params.node.id);
      },
      "$node.disconnected"(ctx: Context<{ node: { id: string } }>) {
        reports.left(ctx.params.node.id);
      },
    },
    created(this: Service) {
      reports = new MeshReports(this.broker);
    },
    stopped() {
      reports.stop();
    },
  };
}
