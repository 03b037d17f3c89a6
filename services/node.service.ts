// streamwell.node: runs on every node, a thin adapter over the node facade (node/local/local-node.ts):
// the node's info and readiness, the scheduler's orders, chain links, reports, logs, ingests and
// the node's share of the metrics. The actor and metrics actions are internal (mesh-calls.ts): the
// scheduler and the gateway call them with { nodeID }; users never do.
import { randomBytes } from "node:crypto";
import type { Context, Service, ServiceSchema } from "moleculer";
import moleculer from "moleculer";
import type { Drains } from "../node/catalog/drains.js";
import { NotFoundError } from "../node/defs/errors.js";
import type { ActorReport } from "../node/defs/restream-status.js";
import type { LocalNode, LocalNodeParent, NodeInfo } from "../node/local/local-node.js";
import type { BoundPorts } from "../node/media-node.js";
import type { FeedPosition } from "../node/restreams/report-cache.js";
import { action } from "./action.js";
import { EVENTS, type IngestLive, type ResourceChanged } from "./events.js";
import { NODE_CALLS, serve } from "./mesh-calls.js";
import { actorReports, isSchedulerLeader, liveIngests, nodesRunning } from "./mesh-view.js";
import * as schemas from "./schemas/resources.js";

const SERVICE = "streamwell.node";

export interface NodeServiceDeps {
  readonly nodeId: string;
  /** Builds the node facade over the parent this service gives it (broadcasts, leader, mesh facts). */
  localNode(parent: LocalNodeParent): LocalNode;
  /** The ingest ports the media plane bound, passed on to whoever shows them in URLs. */
  listening(ports: BoundPorts): void;
  /** Which nodes an admin drains (node/catalog/drains.ts; the scheduler acts on it). */
  readonly catalog: { readonly drains: Pick<Drains, "list" | "drain" | "undrain"> };
}

/** The reports of the ids after `after`, at most `limit` of them (all without a limit), by id. */
function page(reports: Record<string, ActorReport>, after: string | undefined, limit: number | undefined) {
  if (limit === undefined) return { reports, next: null };
  const ids = Object.keys(reports)
    .filter((id) => after === undefined || id > after)
    .sort()
    .slice(0, limit);
  return {
    reports: Object.fromEntries(ids.map((id) => [id, reports[id] as ActorReport])),
    next: ids.length === limit ? (ids.at(-1) ?? null) : null,
  };
}

export function nodeService({ nodeId, localNode, listening, catalog }: NodeServiceDeps): ServiceSchema {
  /** 404 for a node that is not in the mesh now: a typo must not drain nothing silently. */
  const running = (ctx: Context, id: string) => {
    if (!nodesRunning(ctx.broker, SERVICE).includes(id)) throw new NotFoundError(`no node ${id} in the mesh`);
  };
  let node: LocalNode;
  // This node's report feed: a fresh boot id per start, each report event numbered from 1, and the
  // snapshot (actorReports) says where it stands, so every node's cache sees a lost event.
  let feed: { boot: string; seq: number } = { boot: "", seq: 0 };

  return {
    name: SERVICE,
    actions: {
      info: action({
        access: "user",
        input: schemas.node.info,
        summary: "This node: address, uptime, ingests, actors, capacity, load",
        handler: async () => node.info(),
      }),
      list: action({
        access: "user",
        input: schemas.node.list,
        summary: "Every node of the mesh (one on a single node)",
        async handler(ctx) {
          const nodeIDs = nodesRunning((ctx as Context).broker, SERVICE);
          const [draining, ...infos] = await Promise.all([
            catalog.drains.list(),
            ...nodeIDs.map((nodeID) => ctx.call<NodeInfo, object>(`${SERVICE}.info`, {}, { nodeID })),
          ]);
          return { items: infos.map((info) => ({ ...info, draining: draining.has(info.id) })) };
        },
      }),
      drain: action({
        access: "admin",
        input: schemas.node.drain,
        summary: "Drain a node: it takes no restream, and what runs there moves to other nodes",
        async handler(ctx) {
          const { id } = ctx.params;
          running(ctx, id);
          await catalog.drains.drain(id);
          return { id, draining: true };
        },
      }),
      undrain: action({
        access: "admin",
        input: schemas.node.undrain,
        summary: "Undrain a node: it takes restreams again",
        async handler(ctx) {
          const { id } = ctx.params;
          running(ctx, id);
          await catalog.drains.undrain(id);
          return { id, draining: false };
        },
      }),
      ready: action({
        access: "public",
        input: schemas.node.ready,
        summary: "Readiness: the store answers and the RTMP ingest is listening",
        async handler() {
          const readiness = await node.readiness();
          if (!readiness.ready)
            throw new moleculer.Errors.MoleculerError(readiness.reason, 503, "not_ready", {});
          return { ready: true, checks: { store: "ok", ingest: "ok" } };
        },
      }),
      metrics: serve(NODE_CALLS.metrics, () => node.metrics()),
      ensureActors: serve(NODE_CALLS.ensureActors, ({ orders }) => node.ensure(orders)),
      removeActors: serve(NODE_CALLS.removeActors, ({ restreamIds }) => node.remove(restreamIds)),
      openChain: serve(NODE_CALLS.openChain, (link) => node.chains.open(link)),
      closeChain: serve(NODE_CALLS.closeChain, ({ channelId }) => node.chains.close(channelId)),
      pushChain: serve(NODE_CALLS.pushChain, (link) => node.chains.push(link)),
      unpushChain: serve(NODE_CALLS.unpushChain, (link) => node.chains.unpush(link)),
      actorReports: serve(NODE_CALLS.actorReports, ({ restreamIds, after, limit }) => ({
        ...feed,
        ...page(node.reports(restreamIds), after, limit),
      })),
      actorLogs: serve(NODE_CALLS.actorLogs, ({ restreamId }) => ({ lines: node.logs(restreamId) })),
      ingests: serve(NODE_CALLS.ingests, () => node.liveChannels()),
    },
    events: {
      [EVENTS.ingestLive](ctx: Context<IngestLive>) {
        node.liveElsewhere(ctx.params.channelId, ctx.params.nodeID, ctx.params.inputs);
      },
    },
    created(this: Service) {
      const broker = this.broker;
      feed = { boot: randomBytes(8).toString("base64url"), seq: 0 };
      node = localNode({
        ingestLive: (channelId, codecs, inputs) =>
          void broker.broadcast(EVENTS.ingestLive, {
            channelId,
            nodeID: nodeId,
            codecs,
            ...(inputs && { inputs }),
          } satisfies IngestLive),
        ingestOffline: (channelId) =>
          void broker.broadcast(EVENTS.ingestOffline, { channelId, nodeID: nodeId }),
        inputSwitched: (id) => void broker.broadcast(EVENTS.channelChanged, { id } satisfies ResourceChanged),
        report: (restreamId, report) => {
          feed.seq += 1;
          const position: FeedPosition = { ...feed };
          void broker.broadcast(EVENTS.restreamReport, { restreamId, nodeID: nodeId, report, ...position });
        },
        isLeader: () => isSchedulerLeader(broker),
        meshFacts: async () => {
          const [actors, live] = await Promise.all([actorReports(broker), liveIngests(broker)]);
          return { actors: new Set(actors.keys()), live: new Set(live.keys()) };
        },
      });
    },
    async started() {
      listening(await node.start());
    },
    async stopped() {
      await node.stop();
    },
  };
}
