// streamwell.channels: any user creates channels and owns them; the owner or an admin reads and
// changes them. The stream key and ingest URLs appear only in a channel's own GET and create.

import type { Context } from "moleculer";
import { canManageChannel } from "../node/auth/policy.js";
import type { Catalog } from "../node/catalog/catalog.js";
import type { ChannelRecord, RestreamRecord } from "../node/catalog/records.js";
import { channelView, type PublicEndpoints } from "../node/catalog/views.js";
import { ForbiddenError } from "../node/defs/errors.js";
import type { HistoryRecorder } from "../node/history/history-recorder.js";
import { checkSlatePicture } from "../node/slate/slate-picture.js";
import type { SlateStore } from "../node/slate/slate-store.js";
import { type ActionContext, action, callerOf, created, noContent } from "./action.js";
import { defineService } from "./define.js";
import { EVENTS, type ResourceChanged } from "./events.js";
import { serve, VIEW_CALLS } from "./mesh-calls.js";
import { liveIngests } from "./mesh-view.js";
import * as schemas from "./schemas/resources.js";

export interface ChannelsDeps {
  readonly catalog: Catalog;
  readonly history: Pick<HistoryRecorder, "forget">;
  /** The host and RTMP port in a channel's ingest URLs (the port the media plane bound). */
  readonly endpoints: PublicEndpoints;
  /** Where a channel's slate picture goes (this node's data dir). */
  readonly slates: Pick<SlateStore, "setPicture">;
}

export function channelsService({ catalog, endpoints, history, slates }: ChannelsDeps) {
  /** Views with what the mesh knows now of each channel's ingest. */
  async function views(ctx: ActionContext<unknown>, channels: ChannelRecord[], withSecrets: boolean) {
    const ingests = await liveIngests((ctx as Context).broker);
    return channels.map((channel) => {
      const ingest = ingests.get(channel.id);
      const report = ingest && {
        node: ingest.nodeID,
        codecs: ingest.codecs,
        stats: ingest.stats,
        input: ingest.input,
      };
      return channelView(channel, { endpoints, ingest: report, withSecrets });
    });
  }

  /** Tells server-sent-event listeners that a channel changed. */
  function changed(ctx: ActionContext<unknown>, id: string): void {
    void ctx.broadcast(EVENTS.channelChanged, { id } satisfies ResourceChanged);
  }

  /** A deleted channel's event, and its restreams', go only to its owner and the admins. */
  function deleted(
    ctx: ActionContext<unknown>,
    channel: ChannelRecord,
    restreams: readonly RestreamRecord[],
  ) {
    const gone = { ownerId: channel.ownerId };
    for (const { id, channelId } of restreams)
      void ctx.broadcast(EVENTS.restreamChanged, { id, channelId, deleted: gone });
    void ctx.broadcast(EVENTS.channelChanged, { id: channel.id, deleted: gone } satisfies ResourceChanged);
  }

  async function view(ctx: ActionContext<unknown>, channel: ChannelRecord, withSecrets: boolean) {
    const [one] = await views(ctx, [channel], withSecrets);
    if (!one) throw new Error("a channel without its view");
    return one;
  }

  async function manageable(ctx: ActionContext<unknown>, id: string): Promise<ChannelRecord> {
    const channel = await catalog.channels.get(id);
    if (!canManageChannel(callerOf(ctx), channel))
      throw new ForbiddenError("only the channel's owner or an admin");
    return channel;
  }

  return defineService("streamwell.channels", {
    list: action({
      access: "user",
      input: schemas.channels.list,
      summary: "List channels: your own, or all for an admin (no secrets)",
      async handler(ctx) {
        const caller = callerOf(ctx);
        const channels = (await catalog.channels.list()).filter((channel) =>
          canManageChannel(caller, channel),
        );
        return { items: await views(ctx, channels, false) };
      },
    }),
    create: action({
      access: "user",
      input: schemas.channels.create,
      summary: "Create a channel owned by the caller; the answer holds its stream key and ingest URLs",
      async handler(ctx) {
        const channel = await catalog.createChannel({ ...ctx.params, ownerId: callerOf(ctx).id });
        changed(ctx, channel.id);
        return created(ctx, `/channels/${channel.id}`, await view(ctx, channel, true));
      },
    }),
    get: action({
      access: "user",
      input: schemas.channels.get,
      summary: "Get a channel with its stream key and ingest URLs (owner or admin)",
      async handler(ctx) {
        return view(ctx, await manageable(ctx, ctx.params.id), true);
      },
    }),
    summary: action({
      access: "user",
      input: schemas.channels.get,
      summary: "A channel as lists show it, without secrets (used by server-sent events)",
      async handler(ctx) {
        return view(ctx, await manageable(ctx, ctx.params.id), false);
      },
    }),
    eventView: serve(VIEW_CALLS.channel, async ({ id }, ctx) => {
      const channel = await catalog.channels.get(id);
      return { ownerId: channel.ownerId, view: await view(ctx as ActionContext<unknown>, channel, false) };
    }),
    update: action({
      access: "user",
      input: schemas.channels.update,
      summary: "Rename a channel or turn its SRT ingest on or off",
      async handler(ctx) {
        const { id, ...change } = ctx.params;
        await manageable(ctx, id);
        const channel = await catalog.updateChannel(id, change);
        changed(ctx, id);
        return view(ctx, channel, false);
      },
    }),
    remove: action({
      access: "user",
      input: schemas.channels.remove,
      summary: "Delete a channel and its restreams",
      async handler(ctx) {
        const channel = await manageable(ctx, ctx.params.id);
        const restreams = await catalog.restreams.listByChannel(channel.id);
        await catalog.deleteChannel(channel.id);
        history.forget(channel.id);
        deleted(ctx, channel, restreams);
        return noContent(ctx);
      },
    }),
    setSlate: action({
      access: "user",
      input: schemas.channels.setSlate,
      summary:
        "Set the channel's slate picture (a PNG or JPEG body, at most 2 MiB); its slate clips are made again",
      async handler(ctx) {
        await manageable(ctx, ctx.params.id);
        const image = Buffer.from(ctx.params.image, "base64");
        await checkSlatePicture(image);
        await slates.setPicture(ctx.params.id, image);
        return noContent(ctx);
      },
    }),
    resetStreamKey: action({
      access: "user",
      input: schemas.channels.resetStreamKey,
      summary: "Replace the stream key and SRT passphrase; the old ones stop working",
      async handler(ctx) {
        await manageable(ctx, ctx.params.id);
        return view(ctx, await catalog.channels.resetStreamKey(ctx.params.id), true);
      },
    }),
  });
}
