// streamwell.node: runs on every node. It describes its node, hosts its media plane (ingest
// listeners, live channels, restream actors), answers the scheduler's orders and renders the
// node's Prometheus metrics. The actor and metrics actions are internal: the scheduler and the
// gateway call them with { nodeID }; users never do.
import { connect } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import type { Context, Service, ServiceSchema } from "moleculer";
import moleculer from "moleculer";
import { PlacementFence } from "../node/actors/fence.js";
import type { ChannelCodecs } from "../node/defs/codecs.js";
import type { ActorReport } from "../node/defs/restream-status.js";
import type { LiveIngest } from "../node/ingest/registry.js";
import { type BoundPorts, MediaNode } from "../node/media-node.js";
import {
  type ActorKind,
  exportedChannels,
  exportedRestreams,
  MetricsExporter,
  type MetricsSnapshot,
} from "../node/metrics/index.js";
import { statusesOf } from "../node/restreams/statuses.js";
import type { Runtime } from "../node/runtime.js";
import { action } from "./action.js";
import { EVENTS, type IngestInfo, type IngestLive } from "./events.js";
import { NODE_CALLS, serve } from "./mesh-calls.js";
import { actorReports, isSchedulerLeader, liveIngests, nodesRunning } from "./mesh-view.js";
import * as schemas from "./schemas/resources.js";

const SERVICE = "streamwell.node";
const PROBE_TIMEOUT_MS = 1_000;

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
  const { config, store, catalog, startedAt, history } = runtime;
  let media: MediaNode;
  let fence: PlacementFence;
  /** The ingest ports bound at start; null until then (readiness waits for them). */
  let bound: BoundPorts | null = null;
  const exporter = new MetricsExporter({ node: config.nodeId, processMetrics: true });

  const actorCounts = (): Record<ActorKind, number> => ({
    ...media.host.counts(),
    chain: media.chains.pushCount,
  });

  /** The ingests the API shows as live: those whose codecs are known. */
  const liveHere = () =>
    media.registry
      .list()
      .filter(
        (ingest): ingest is LiveIngest & { codecs: ChannelCodecs } =>
          ingest.codecs !== null && ingest.protocol !== "chain",
      );

  /**
   * This node's share of the mesh's metrics (node/metrics/snapshot.ts says who exports what).
   * States come from deriveStatus, as in streamwell.restreams, so /metrics agrees with the API.
   */
  async function snapshot(ctx: Context): Promise<MetricsSnapshot> {
    const leader = isSchedulerLeader(ctx.broker);
    const reports = media.host.reports();
    const [restreams, channels, everywhere, live] = await Promise.all([
      catalog.restreams.list(),
      leader ? catalog.channels.list() : [],
      leader ? actorReports(ctx.broker) : new Map<string, ActorReport>(),
      leader ? liveIngests(ctx.broker) : new Map<string, IngestInfo>(),
    ]);
    const mine = exportedRestreams(restreams, {
      hostedHere: new Set(Object.keys(reports)),
      leader,
      actorsAnywhere: new Set(everywhere.keys()),
    });
    return {
      node: config.nodeId,
      restreams: await statusesOf(catalog, mine, (id) => reports[id]),
      channels: exportedChannels(
        channels.map((channel) => channel.id),
        {
          ingestsHere: liveHere().map(({ channelId, protocol, stats }) => ({
            channelId,
            protocol,
            bytesIn: stats.bytesIn,
          })),
          leader,
          liveAnywhere: new Set(live.keys()),
        },
      ),
      actors: actorCounts(),
      capacityRestreams: config.maxRestreams,
    };
  }

  /** The ingest listeners accept connections (a TCP connect, closed at once: the session logs nothing). */
  async function ingestListening(): Promise<boolean> {
    if (!bound) return false;
    const ports = [bound.rtmp, ...(bound.rtmps === null ? [] : [bound.rtmps])];
    const results = await Promise.all(ports.map((port) => canConnect(probeHost(config.bindHost), port)));
    return results.every(Boolean);
  }

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
            actors: actorCounts(),
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
        summary: "Readiness: the store answers and the RTMP ingest is listening",
        async handler() {
          try {
            await store.ping();
          } catch (cause) {
            throw notReady("store is not ready", { store: String(cause) });
          }
          if (!(await ingestListening())) throw notReady("the RTMP ingest is not listening", {});
          return { ready: true, checks: { store: "ok", ingest: "ok" } };
        },
      }),
      /** Internal: the text of this node's GET /metrics (the gateway calls it with its own nodeID). */
      metrics: serve(NODE_CALLS.metrics, async (_params, ctx) => exporter.render(await snapshot(ctx))),
      ensureActors: serve(NODE_CALLS.ensureActors, ({ orders }) => fence.ensure(orders)),
      removeActors: serve(NODE_CALLS.removeActors, ({ restreamIds }) => fence.remove(restreamIds)),
      openChain: serve(NODE_CALLS.openChain, (link) => media.chains.open(link)),
      closeChain: serve(NODE_CALLS.closeChain, ({ channelId }) => media.chains.close(channelId)),
      pushChain: serve(NODE_CALLS.pushChain, (link) => media.chains.push(link)),
      unpushChain: serve(NODE_CALLS.unpushChain, (link) => media.chains.unpush(link)),
      actorReports: serve(NODE_CALLS.actorReports, ({ restreamIds }) => media.host.reports(restreamIds)),
      actorLogs: serve(NODE_CALLS.actorLogs, ({ restreamId }) => ({
        lines: [...media.host.logs(restreamId)],
      })),
      ingests: serve(NODE_CALLS.ingests, (): IngestInfo[] =>
        liveHere().map((ingest) => ({
          channelId: ingest.channelId,
          nodeID: config.nodeId,
          codecs: ingest.codecs,
          stats: ingest.stats,
          since: ingest.since,
        })),
      ),
    },
    events: {
      [EVENTS.ingestLive](ctx: Context<IngestLive>) {
        if (ctx.params.nodeID !== config.nodeId) media.registry.evict(ctx.params.channelId);
      },
    },
    created(this: Service) {
      const broker = this.broker;
      // What this node sees goes into the history here, in batches (node/history/).
      media = new MediaNode(runtime, {
        ingestLive: (channelId, codecs) => {
          history.record(channelId, "live");
          void broker.broadcast(EVENTS.ingestLive, { channelId, nodeID: config.nodeId, codecs });
        },
        ingestOffline: (channelId) => {
          history.record(channelId, "offline");
          void broker.broadcast(EVENTS.ingestOffline, { channelId, nodeID: config.nodeId });
        },
        report: (restreamId, report) => {
          if (report) history.record(restreamId, report.state, report.error);
          void broker.broadcast(EVENTS.restreamReport, { restreamId, nodeID: config.nodeId, report });
        },
      });
      fence = new PlacementFence(
        config.nodeId,
        catalog.placements,
        media.host,
        runtime.log.child({ module: "fence" }),
      );
    },
    async started() {
      await fence.start();
      bound = await media.start();
    },
    async stopped() {
      bound = null;
      fence.stop();
      await media.stop();
      await history.flush();
    },
  };
}

function notReady(message: string, data: Record<string, string>): Error {
  return new moleculer.Errors.MoleculerError(message, 503, "not_ready", data);
}

/** Where a local client reaches a listener bound to `bindHost` (a wildcard means loopback). */
function probeHost(bindHost: string): string {
  if (bindHost === "0.0.0.0") return "127.0.0.1";
  if (bindHost === "::") return "::1";
  return bindHost;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}
