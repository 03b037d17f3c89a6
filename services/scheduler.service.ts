// streamwell.scheduler: places restream actors on the node that holds their channel's ingest
// (node/scheduler/scheduler.ts decides). The leader is the lowest node id that runs it.
import type { Context, Service, ServiceBroker, ServiceSchema } from "moleculer";
import type { Catalog } from "../node/catalog/catalog.js";
import type { DestinationRecord, RestreamRecord } from "../node/catalog/records.js";
import { NotFoundError } from "../node/defs/errors.js";
import type { HistoryRecorder } from "../node/history/history-recorder.js";
import type { Logger } from "../node/kit/log.js";
import { ScheduleClock } from "../node/scheduler/schedule-clock.js";
import { Scheduler } from "../node/scheduler/scheduler.js";
import type { Store } from "../node/store/store.js";
import { EVENTS, type IngestLive, type IngestOffline } from "./events.js";
import { meshCall, NODE_CALLS } from "./mesh-calls.js";
import { everyIngest, isSchedulerLeader, meshNodes } from "./mesh-view.js";

/**
 * Over a mesh, events can be lost around a start or an outage: every node asks the others what is
 * live this often. It costs a call per node and reconciles only when the answers change the
 * ingest map. A single node has no transporter and loses no event: it asks once at start.
 */
const SWEEP_MS = 10_000;
const WATCHED = ["features", "drains."];

const SERVICE = "streamwell.scheduler";

export interface SchedulerDeps {
  readonly catalog: Catalog;
  /** Placements and chain links are written by compare-and-set; its change feed triggers rounds. */
  readonly store: Store;
  readonly log: Logger;
  /** Records what the schedule starts and stops. */
  readonly history: Pick<HistoryRecorder, "record">;
}

export function schedulerService({ catalog, store, log, history }: SchedulerDeps): ServiceSchema {
  let scheduler: Scheduler;
  let clock: ScheduleClock;
  let unwatch: (() => void)[] = [];
  let sweep: NodeJS.Timeout | undefined;

  /** Every node's live ingests, asked again: events can be missed around a start or an outage. */
  async function resync(broker: ServiceBroker): Promise<void> {
    try {
      const mark = scheduler.syncMark();
      const answers = (await everyIngest(broker)).map((i) => ({
        channelId: i.channelId,
        nodeId: i.nodeID,
        codecs: i.codecs,
        ...(i.inputs && { inputs: i.inputs }),
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
        const { channelId, nodeID, codecs, inputs } = ctx.params;
        scheduler.ingestLive(channelId, nodeID, codecs, inputs);
      },
      [EVENTS.ingestOffline](ctx: Context<IngestOffline>) {
        scheduler.ingestOffline(ctx.params.channelId, ctx.params.nodeID);
      },
      async "$node.connected"(ctx: Context<{ node: { id: string } }>) {
        // A node back after an outage still holds its ingests: learn them before placing anything.
        await resync(ctx.broker);
        scheduler.nodeJoined(ctx.params.node.id);
        void clock.request();
      },
      "$node.disconnected"(ctx: Context<{ node: { id: string } }>) {
        scheduler.nodeLeft(ctx.params.node.id);
        // This node may lead now: what fell due meanwhile is applied at once.
        void clock.request();
      },
    },
    created(this: Service) {
      const broker = this.broker;
      scheduler = new Scheduler(catalog, store, {
        ensureActors: (nodeID, orders) => meshCall(broker, NODE_CALLS.ensureActors, { orders }, nodeID),
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
      clock = new ScheduleClock({
        isLeader: () => isSchedulerLeader(broker),
        apply: async (restreamId, now) => {
          const restream = await catalog.applySchedule(restreamId, now).catch((error: unknown) => {
            if (error instanceof NotFoundError) return undefined; // deleted meanwhile
            throw error;
          });
          if (!restream) return;
          log.info({ event: "schedule_applied", restreamId, desired: restream.desired }, "schedule applied");
          history.record(restreamId, restream.desired === "started" ? "awaiting_stream" : "stopped");
          void broker.broadcast(EVENTS.restreamChanged, { id: restreamId, channelId: restream.channelId });
        },
        warn: (details, message) => log.warn(details, message),
      });
    },
    async started(this: Service) {
      unwatch = WATCHED.map((prefix) => store.watch(prefix, () => void scheduler.request()));
      unwatch.push(
        store.watch("destinations.", (event) => {
          const record = event.op === "put" ? (event.entry.value as DestinationRecord) : undefined;
          const key = event.op === "put" ? event.entry.key : event.key;
          void scheduler.destinationChanged(key.slice("destinations.".length), record);
        }),
        store.watch("restreams.", (event) => {
          const record = event.op === "put" ? (event.entry.value as RestreamRecord) : undefined;
          const restreamId = (event.op === "put" ? event.entry.key : event.key).slice("restreams.".length);
          void scheduler.restreamChanged(restreamId, record);
          if (record) clock.set(record);
          else clock.delete(restreamId);
        }),
      );
      for (const restream of await catalog.restreams.list()) clock.set(restream);
      if (this.broker.transit) sweep = setInterval(() => void resync(this.broker), SWEEP_MS);
      await resync(this.broker);
    },
    async stopped() {
      for (const stop of unwatch) stop();
      clearInterval(sweep);
      await Promise.all([clock.close(), scheduler.close()]);
    },
  };
}
