// streamwell.node: runs on every node. It describes its node, hosts its media plane (ingest
// listeners, live channels, restream actors) and answers the scheduler's orders. The actor
// actions are internal: the scheduler calls them with { nodeID }; users never do.
import { availableParallelism, loadavg } from "node:os";
import type { Context, Service, ServiceSchema } from "moleculer";
import moleculer from "moleculer";
import type { ActorOrder } from "../node/actors/host.js";
import { MediaNode } from "../node/media-node.js";
import type { Runtime } from "../node/runtime.js";
import { action } from "./action.js";
import { EVENTS, type IngestInfo } from "./events.js";
import { nodesRunning } from "./mesh-view.js";
import * as schemas from "./schemas/resources.js";

const SERVICE = "streamwell.node";

export interface NodeInfo {
  readonly id: string;
  readonly address: string;
  readonly uptimeSeconds: number;
  readonly ingests: number;
  readonly actors: { readonly restream: number; readonly playback: number; readonly chain: number };
  readonly maxRestreams: number;
  /** One-minute load average per core. */
  readonly load: number;
}

export function nodeService(runtime: Runtime): ServiceSchema {
  const { config, store, startedAt } = runtime;
  let media: MediaNode;

  return {
    name: SERVICE,
    actions: {
      info: action({
        access: "user",
        input: schemas.node.info,
        summary: "This node: address, uptime, ingests, actors, capacity, load",
        async handler(): Promise<NodeInfo> {
          return {
            id: config.nodeId,
            address: config.publicHost,
            uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
            ingests: media.registry.list().length,
            actors: { restream: media.host.size, playback: 0, chain: 0 },
            maxRestreams: config.maxRestreams,
            load: Number(((loadavg()[0] ?? 0) / availableParallelism()).toFixed(2)),
          };
        },
      }),
      list: action({
        access: "user",
        input: schemas.node.list,
        summary: "Every node of the mesh (one on a single node)",
        async handler(ctx) {
          const nodeIDs = nodesRunning((ctx as Context).broker, SERVICE);
          const items = await Promise.all(
            nodeIDs.map((nodeID) => ctx.call<NodeInfo, object>(`${SERVICE}.info`, {}, { nodeID })),
          );
          return { items };
        },
      }),
      ready: action({
        access: "public",
        input: schemas.node.ready,
        summary: "Readiness: the store answers",
        async handler() {
          try {
            await store.ping();
          } catch (cause) {
            throw new moleculer.Errors.MoleculerError("store is not ready", 503, "not_ready", {
              cause: String(cause),
            });
          }
          return { ready: true, checks: { store: "ok" } };
        },
      }),
      ensureActor: (ctx: Context<ActorOrder>) => media.host.ensure(ctx.params),
      removeActor: (ctx: Context<{ restreamId: string }>) => media.host.remove(ctx.params.restreamId),
      actorReports: () => media.host.reports(),
      actorLogs: (ctx: Context<{ restreamId: string }>) => ({
        lines: media.host.logs(ctx.params.restreamId),
      }),
      ingests: (): IngestInfo[] =>
        media.registry
          .list()
          .flatMap((ingest) =>
            ingest.codecs
              ? [
                  {
                    channelId: ingest.channelId,
                    nodeID: config.nodeId,
                    codecs: ingest.codecs,
                    stats: ingest.stats,
                    since: ingest.since,
                  },
                ]
              : [],
          ),
    },
    created(this: Service) {
      const broker = this.broker;
      media = new MediaNode(runtime, {
        ingestLive: (channelId, codecs) =>
          void broker.broadcast(EVENTS.ingestLive, { channelId, nodeID: config.nodeId, codecs }),
        ingestOffline: (channelId) =>
          void broker.broadcast(EVENTS.ingestOffline, { channelId, nodeID: config.nodeId }),
        report: (restreamId, report) =>
          void broker.broadcast(EVENTS.restreamReport, { restreamId, nodeID: config.nodeId, report }),
      });
    },
    async started() {
      await media.start();
    },
    async stopped() {
      await media.stop();
    },
  };
}
