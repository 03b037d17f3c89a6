// streamwell.scheduler: places restream actors on the node that holds their channel's ingest
// (node/restreams/scheduler.ts decides). The leader is the lowest node id that runs it.
import type { Context, Service, ServiceSchema } from "moleculer";
import type { RelaySpec } from "../node/actors/relay.js";
import { Scheduler } from "../node/restreams/scheduler.js";
import type { Runtime } from "../node/runtime.js";
import { EVENTS, type IngestInfo, type IngestLive, type IngestOffline } from "./events.js";
import { nodesRunning } from "./mesh-view.js";

const SWEEP_MS = 10_000;
const WATCHED = ["restreams.", "destinations.", "features"];

export function schedulerService({ catalog, store, log }: Runtime): ServiceSchema {
  let scheduler: Scheduler;
  let unwatch: (() => void)[] = [];
  let sweep: NodeJS.Timeout | undefined;

  return {
    name: "streamwell.scheduler",
    dependencies: ["streamwell.node"],
    events: {
      [EVENTS.ingestLive](ctx: Context<IngestLive>) {
        scheduler.ingestLive(ctx.params.channelId, ctx.params.nodeID);
      },
      [EVENTS.ingestOffline](ctx: Context<IngestOffline>) {
        scheduler.ingestOffline(ctx.params.channelId, ctx.params.nodeID);
      },
      "$node.disconnected"(ctx: Context<{ node: { id: string } }>) {
        scheduler.nodeLeft(ctx.params.node.id);
      },
    },
    created(this: Service) {
      const self = this;
      scheduler = new Scheduler(catalog, {
        async ensureActor(nodeID, actor: { restreamId: string; channelId: string; spec: RelaySpec }) {
          await self.broker.call("streamwell.node.ensureActor", actor, { nodeID });
        },
        async removeActor(nodeID, restreamId) {
          await self.broker.call("streamwell.node.removeActor", { restreamId }, { nodeID });
        },
        isLeader: () => nodesRunning(self.broker, "streamwell.scheduler")[0] === self.broker.nodeID,
        warn: (details, message) => log.warn(details, message),
      });
    },
    async started(this: Service) {
      unwatch = WATCHED.map((prefix) => store.watch(prefix, () => void scheduler.request()));
      sweep = setInterval(() => void scheduler.request(), SWEEP_MS);
      // Ingests that went live before this scheduler started; a node that does not answer now
      // reports its ingests again through events.
      for (const nodeID of nodesRunning(this.broker, "streamwell.node")) {
        try {
          const ingests = await this.broker.call<IngestInfo[], object>(
            "streamwell.node.ingests",
            {},
            { nodeID },
          );
          for (const ingest of ingests) scheduler.ingestLive(ingest.channelId, ingest.nodeID);
        } catch (error) {
          log.warn({ err: error, node: nodeID }, "could not read a node's ingests");
        }
      }
      await scheduler.request();
    },
    async stopped() {
      for (const stop of unwatch) stop();
      clearInterval(sweep);
    },
  };
}
