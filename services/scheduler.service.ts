// streamwell.scheduler: places restream actors on the node that holds their channel's ingest
// (node/scheduler/scheduler.ts decides). The leader is the lowest node id that runs it.
import type { Context, Service, ServiceBroker, ServiceSchema } from "moleculer";
import type { Runtime } from "../node/runtime.js";
import { Scheduler } from "../node/scheduler/scheduler.js";
import { EVENTS, type IngestLive, type IngestOffline } from "./events.js";
import { meshCall, NODE_CALLS } from "./mesh-calls.js";
import { isSchedulerLeader, liveIngests, meshNodes } from "./mesh-view.js";

const SWEEP_MS = 10_000;
const WATCHED = ["restreams.", "destinations.", "features"];

const SERVICE = "streamwell.scheduler";

export function schedulerService({ catalog, store, log }: Runtime): ServiceSchema {
  let scheduler: Scheduler;
  let unwatch: (() => void)[] = [];
  let sweep: NodeJS.Timeout | undefined;

  /** Every node's live ingests, asked again: events can be missed around a start or an outage. */
  async function resync(broker: ServiceBroker): Promise<void> {
    try {
      const mark = scheduler.syncMark();
      const ingests = await liveIngests(broker);
      const answers = [...ingests.values()].map((i) => ({
        channelId: i.channelId,
        nodeId: i.nodeID,
        codecs: i.codecs,
      }));
      scheduler.syncIngests(answers, mark);
    } catch (error) {
      log.warn({ err: error }, "could not read the nodes' ingests");
    }
  }

  return {
    name: SERVICE,
    dependencies: ["streamwell.node"],
    events: {
      [EVENTS.ingestLive](ctx: Context<IngestLive>) {
        scheduler.ingestLive(ctx.params.channelId, ctx.params.nodeID, ctx.params.codecs);
      },
      [EVENTS.ingestOffline](ctx: Context<IngestOffline>) {
        scheduler.ingestOffline(ctx.params.channelId, ctx.params.nodeID);
      },
      async "$node.connected"(ctx: Context<{ node: { id: string } }>) {
        // A node back after an outage still holds its ingests: learn them before placing anything.
        await resync(ctx.broker);
        scheduler.nodeJoined(ctx.params.node.id);
      },
      "$node.disconnected"(ctx: Context<{ node: { id: string } }>) {
        scheduler.nodeLeft(ctx.params.node.id);
      },
    },
    created(this: Service) {
      const broker = this.broker;
      scheduler = new Scheduler(catalog, store, {
        ensureActors: async (nodeID, orders) => {
          await meshCall(broker, NODE_CALLS.ensureActors, { orders }, nodeID);
        },
        removeActors: (nodeID, restreamIds) =>
          meshCall(broker, NODE_CALLS.removeActors, { restreamIds }, nodeID),
        openChain: (nodeID, link) => meshCall(broker, NODE_CALLS.openChain, link, nodeID),
        closeChain: (nodeID, channelId) => meshCall(broker, NODE_CALLS.closeChain, { channelId }, nodeID),
        pushChain: (nodeID, link) => meshCall(broker, NODE_CALLS.pushChain, link, nodeID),
        unpushChain: (nodeID, link) => meshCall(broker, NODE_CALLS.unpushChain, link, nodeID),
        isLeader: () => isSchedulerLeader(this.broker),
        nodes: () => meshNodes(this.broker),
        info: (details, message) => log.info(details, message),
        warn: (details, message) => log.warn(details, message),
      });
    },
    async started(this: Service) {
      unwatch = WATCHED.map((prefix) => store.watch(prefix, () => void scheduler.request()));
      sweep = setInterval(() => void resync(this.broker), SWEEP_MS);
      await resync(this.broker);
    },
    async stopped() {
      for (const stop of unwatch) stop();
      clearInterval(sweep);
    },
  };
}
