// The scheduler decides which restream actors run where, while a restream is started, its
// feature switches are on and its channel is live: on the node that holds the ingest while it has
// room, else on the least-loaded node, fed by a chain link (placement.ts, chains.ts). Every node
// runs one; only the leader acts. It compares that wish with the placements in the store,
// rewrites them with compare-and-set (each new placement a higher epoch), and sends each node
// its orders in one batch. Nodes run an actor only while its placement names them, so orders
// from a deposed leader, or a node that missed a removal, cannot leave two pushers behind.
//
// Triggers: a store change (desired state, destinations, switches), an ingest going live or
// offline, a node joining or leaving, a resync of the ingests that changed something, and a retry
// after a round in which a store write or a call to a node failed (RETRY: 0.5 s doubling to 10 s,
// back to 0.5 s after a clean round). Nothing runs on a timer while there is nothing to do: at
// 10,000 restreams a round reads ~1 s of records.

import { createHash } from "node:crypto";
import type { Catalog } from "../catalog/catalog.js";
import { requiredFeatures } from "../catalog/features.js";
import type { PlacementEntry } from "../catalog/placements.js";
import type { DestinationRecord, Features, PlacementRecord, RestreamRecord } from "../catalog/records.js";
import type { ChannelCodecs } from "../defs/codecs.js";
import type { Container } from "../defs/container.js";
import type { IngestInput } from "../defs/ingest-input.js";
import type { ChainLink, PlacedOrder } from "../defs/orders.js";
import type { ActorSpec } from "../defs/relay.js";
import { mapBounded } from "../kit/bounded.js";
import { CoalescedRounds } from "../kit/coalesced-rounds.js";
import { carrierContainer } from "../restreams/codec-rules.js";
import { KeyExistsError, RevisionMismatchError, type Store, StoreError } from "../store/store.js";
import { ChainLinks, type ChainNode, type ChainParent } from "./chains.js";
import { IngestMap } from "./ingest-map.js";
import { NodeBatches } from "./node-batches.js";
import { chooseNodes, type MeshNode } from "./placement.js";
import { actorSpecOf } from "./relay-spec.js";

/** A node of the mesh as the scheduler sees it. */
export interface SchedulerNode extends MeshNode, ChainNode {}

/** How the scheduler reaches actor hosts (Moleculer calls with a nodeID, in the services). */
export interface SchedulerParent extends Omit<ChainParent, "node"> {
  /** The node runs the orders its store confirms; it names the others (refused as stale). */
  ensureActors(nodeId: string, orders: readonly PlacedOrder[]): Promise<{ refused: readonly string[] }>;
  removeActors(nodeId: string, restreamIds: readonly string[]): Promise<void>;
  /** Only the leader places actors; the others keep their view current and wait. */
  isLeader(): boolean;
  /** The nodes in the mesh now (a node that left is sent nothing). */
  nodes(): readonly SchedulerNode[];
  /** One line per placement written or removed, with the ids to grep for. */
  info(details: Record<string, unknown>, message: string): void;
}

/** Placement writes and removals in flight at once (each a compare-and-set round trip). */
const STORE_CONCURRENCY = 32;

/**
 * How long after a round with a failed store write or node call the scheduler tries again: the
 * first retry soon (a JetStream leader elected meanwhile, a node back), later ones doubling to the
 * cap, so a store that stays down is not asked in a tight loop (each of its calls already waits
 * out its own budget before it fails).
 */
export const RETRY = { firstMs: 500, capMs: 10_000 } as const;

/** Restreams, destinations, switches, and the nodes an admin drains. */
type DesiredState = [RestreamRecord[], DestinationRecord[], Features, ReadonlySet<string>];

interface Wish {
  readonly wanted: Map<string, Wanted>;
  readonly waiting: Map<string, string>;
}

interface Wanted extends PlacementRecord {
  readonly spec: ActorSpec;
  readonly ingestNodeId: string;
}

export class Scheduler {
  /** channelId -> the node holding its ingest. */
  private readonly ingests = new IngestMap();
  /** The placements read by the last reconcile, to know which deliveries an event invalidates. */
  private placements = new Map<string, PlacementRecord>();
  /** Whether `placements` is what the store holds: read by this node's last round, as leader. */
  private placementsKnown = false;
  /** Restreams whose current placement this leader has delivered to its node. */
  private readonly delivered = new Set<string>();
  /** Each destination's record as the last change showed it, without its uses (destinationChanged). */
  private readonly destinations = new Map<string, string>();
  private readonly chains: ChainLinks;
  private readonly rounds: CoalescedRounds;
  /** Set by a failure in the current round: the round is tried again after a RETRY delay. */
  private failed = false;
  /** Rounds that failed in a row (the next retry's delay doubles with each). */
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly catalog: Catalog,
    store: Store,
    private readonly parent: SchedulerParent,
  ) {
    this.chains = new ChainLinks(store, { ...parent, node: (id) => this.node(id) });
    this.rounds = new CoalescedRounds(
      () => this.reconcile(),
      (error) => this.parent.warn({ err: error }, "reconcile failed"),
    );
  }

  /**
   * A channel went live on a node (perhaps again, after a restart): its actors are sent again.
   * `inputs`: a channel with a backup, the inputs whose publishers are on that node (IngestMap).
   */
  ingestLive(
    channelId: string,
    nodeId: string,
    codecs: ChannelCodecs,
    inputs?: readonly IngestInput[],
  ): void {
    this.ingests.live(channelId, nodeId, carrierContainer(codecs), inputs);
    this.chains.redeliver((link) => link.channelId === channelId);
    this.redeliver((placement) => placement.channelId === channelId);
  }

  /** Ignored when the channel is live elsewhere by now (its publisher moved). */
  ingestOffline(channelId: string, nodeId: string): void {
    if (this.ingests.offline(channelId, nodeId)) this.request();
  }

  /** Before a resync asks the nodes what is live (see syncIngests). */
  syncMark(): number {
    return this.ingests.mark();
  }

  /**
   * What the nodes say is live now (every node's answer, oldest ingest first), except where an
   * event since `mark` says otherwise.
   */
  syncIngests(
    ingests: readonly {
      channelId: string;
      nodeId: string;
      codecs: ChannelCodecs;
      inputs?: readonly IngestInput[];
    }[],
    mark: number,
  ): void {
    const answers = ingests.map(({ codecs, ...ingest }) => ({
      ...ingest,
      container: carrierContainer(codecs),
    }));
    if (this.ingests.sync(answers, mark)) void this.request();
  }

  /** A node joined (or came back with nothing running): what is placed there is sent again. */
  nodeJoined(nodeId: string): void {
    this.chains.redeliver((link) => link.sourceNodeId === nodeId || link.targetNodeId === nodeId);
    this.redeliver((placement) => placement.nodeId === nodeId);
  }

  /** A node left the mesh: its ingests and actors went with it. */
  nodeLeft(nodeId: string): void {
    this.ingests.nodeLeft(nodeId);
    this.request();
  }

  /**
   * The node a restream ran on before this round's placement on `nodeId`, when that node is gone
   * from the mesh: the destination may still hold its session (node/actors/takeover.ts). A stop,
   * a drain or a move leaves the old node in the mesh, which stops its push itself.
   */
  private vanished(previousNodeId: string | undefined, nodeId: string): string | undefined {
    if (previousNodeId === undefined || previousNodeId === nodeId) return undefined;
    return this.node(previousNodeId) ? undefined : previousNodeId;
  }

  /**
   * A restream's record changed (`record` undefined: deleted). A restream that is stopped and placed
   * nowhere changes nothing a round decides (a creation, a rename), so it costs no round: at 10,000
   * restreams a round reads every record. A creation (revision 1: never started, so never placed)
   * costs none even while a round runs. Anything else, or any doubt (a round running, this node
   * not the leader that read the placements), asks for one.
   */
  restreamChanged(restreamId: string, record: RestreamRecord | undefined): Promise<void> {
    if (record?.revision === 1 && record.desired === "stopped") return Promise.resolve();
    const stopped = record === undefined || record.desired === "stopped";
    if (stopped && this.placementsKnown && !this.rounds.busy && !this.placements.has(restreamId))
      return Promise.resolve();
    return this.request();
  }

  /**
   * A destination's record changed (`record` undefined: deleted). Every restream's creation writes
   * its destination's `uses` (catalog/destinations.ts), which no round reads: such a write costs no
   * round, or each creation would cost one reading every restream (1,000 sequential REST creates
   * on a 3-node mesh: 132 ms each, the leader's rounds back to back; docs/decisions.md).
   */
  destinationChanged(destinationId: string, record: DestinationRecord | undefined): Promise<void> {
    const { uses: _uses, ...read } = record ?? {};
    const seen = record === undefined ? undefined : JSON.stringify(read);
    if (seen !== undefined && this.destinations.get(destinationId) === seen) return Promise.resolve();
    if (seen === undefined) this.destinations.delete(destinationId);
    else this.destinations.set(destinationId, seen);
    return this.request();
  }

  /** Asks for a reconcile; calls while one runs coalesce into one more. Resolves when settled. */
  request(): Promise<void> {
    return this.rounds.request();
  }

  /** No more rounds or retries; resolves when the current round is done. */
  async close(): Promise<void> {
    clearTimeout(this.retry);
    await this.rounds.close();
  }

  private redeliver(match: (placement: PlacementRecord) => boolean): void {
    for (const [restreamId, placement] of this.placements)
      if (match(placement)) this.delivered.delete(restreamId);
    this.request();
  }

  private node(nodeId: string): SchedulerNode | undefined {
    return this.parent.nodes().find((node) => node.id === nodeId);
  }

  /**
   * What should run where, given where things run now (`current`), and which started restreams
   * wait for their channel (`waiting`: restreamId -> spec fingerprint).
   */
  private wanted(
    [restreams, destinations, features, draining]: DesiredState,
    current: ReadonlyMap<string, PlacementEntry>,
  ): Wish {
    const byId = new Map<string, DestinationRecord>(destinations.map((d) => [d.id, d]));
    const runnable: (Omit<Wanted, "nodeId"> & { fixedNodeId?: string })[] = [];
    const waiting = new Map<string, string>();
    for (const restream of restreams) {
      if (restream.desired !== "started") continue;
      const destination = restream.kind === "destination" ? byId.get(restream.destinationId) : undefined;
      if (!requiredFeatures(restream, destination).every((name) => features[name])) continue;
      const spec = actorSpecOf(restream, destination);
      if (!spec) continue;
      const fingerprint = createHash("sha256").update(JSON.stringify(spec)).digest("hex");
      // A Remote Playback listens on the node its URL names, whichever node has the ingest.
      const fixedNodeId = restream.kind === "remote_playback" ? restream.nodeId : undefined;
      const ingestNodeId = this.ingests.get(restream.channelId);
      if (ingestNodeId === undefined || (fixedNodeId !== undefined && !this.node(fixedNodeId))) {
        waiting.set(restream.id, fingerprint);
        continue;
      }
      runnable.push({
        restreamId: restream.id,
        channelId: restream.channelId,
        ingestNodeId,
        spec,
        fingerprint,
        fixedNodeId,
      });
    }
    const chosen = chooseNodes(
      runnable
        .filter((want) => want.fixedNodeId === undefined)
        .map((want) => ({ ...want, currentNodeId: current.get(want.restreamId)?.value.nodeId })),
      this.parent.nodes().map((node) => ({ ...node, draining: draining.has(node.id) })),
    );
    const wanted = new Map(
      runnable.map(({ fixedNodeId, ...want }) => [
        want.restreamId,
        { ...want, nodeId: fixedNodeId ?? chosen.get(want.restreamId) ?? want.ingestNodeId },
      ]),
    );
    return { wanted, waiting };
  }

  private async reconcile(): Promise<void> {
    this.failed = false;
    try {
      await this.reconcileOnce();
    } catch (error) {
      this.failed = true;
      throw error;
    } finally {
      if (this.failed) this.retryLater();
      else this.failures = 0;
    }
  }

  private retryLater(): void {
    if (this.retry) return;
    const delay = Math.min(RETRY.firstMs * 2 ** this.failures, RETRY.capMs);
    this.failures += 1;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.request();
    }, delay).unref();
  }

  private async reconcileOnce(): Promise<void> {
    this.placementsKnown = false;
    if (!this.parent.isLeader()) {
      // A later leadership starts by delivering everything again.
      this.delivered.clear();
      this.chains.redeliver(() => true);
      return;
    }
    const started = performance.now();
    // Placements and desired state are read at the same time; the restreams come from this node's
    // memory of them (Restreams.known), the rest from the store (a KV list of 10,000 is ~0.5-1 s).
    const [entries, desired] = await Promise.all([
      this.catalog.placements.list(),
      Promise.all([
        this.catalog.restreams.known(),
        this.catalog.destinations.list(),
        this.catalog.features.get(),
        this.catalog.drains.list(),
      ]),
    ]);
    const { wanted, waiting } = this.wanted(desired, entries);
    this.placements = new Map([...entries].map(([id, entry]) => [id, entry.value]));
    this.placementsKnown = true;
    await this.removeUnwanted(wanted, waiting, entries);
    const links = [
      ...linksOf(wanted.values(), (channelId) => this.ingests.containerOf(channelId)),
      ...this.ingests.inputLinks(),
    ];
    if (!(await this.chains.reconcile(links))) this.failed = true;
    const delivered = await this.placeWanted(wanted, entries);
    if (delivered > 0) {
      const ms = Math.round(performance.now() - started);
      this.parent.info({ event: "reconciled", wanted: wanted.size, delivered, ms }, "placements delivered");
    }
  }

  /**
   * Placements that name another node or an older spec, or that nothing wants: removed, then
   * their actors stopped. (A changed spec is a new placement: the push restarts with it.) A
   * restream waiting for its channel keeps its placement: a channel that is live nowhere the
   * leader can see may be a node it lost touch with (a NATS outage), and its actor waits anyway.
   */
  private async removeUnwanted(
    wanted: ReadonlyMap<string, Wanted>,
    waiting: ReadonlyMap<string, string>,
    entries: ReadonlyMap<string, PlacementEntry>,
  ) {
    const removals = new NodeBatches<string>();
    const unwanted = [...entries].filter(
      ([restreamId, entry]) =>
        !sameTarget(entry.value, wanted.get(restreamId)) &&
        waiting.get(restreamId) !== entry.value.fingerprint,
    );
    const removed = await mapBounded(unwanted, STORE_CONCURRENCY, ([restreamId, entry]) =>
      this.storeStep(() => this.catalog.placements.remove(entry).then(() => true), restreamId),
    );
    unwanted.forEach(([restreamId, entry], i) => {
      if (!removed[i]) return;
      this.parent.info(
        {
          event: "placement_removed",
          restreamId,
          nodeId: entry.value.nodeId,
          wanted: wanted.get(restreamId)?.nodeId ?? null,
        },
        "placement removed",
      );
      this.placements.delete(restreamId);
      this.delivered.delete(restreamId);
      if (this.node(entry.value.nodeId)) removals.add(entry.value.nodeId, restreamId);
    });
    // The nodes also see the removal in the store and stop these actors themselves; this only
    // makes it prompt. A node that is gone has nothing to stop.
    const sent = await removals.send(
      "remove",
      (nodeId, ids) => this.parent.removeActors(nodeId, ids),
      this.parent,
    );
    if (!sent) this.failed = true;
  }

  private async placeWanted(
    wanted: ReadonlyMap<string, Wanted>,
    entries: ReadonlyMap<string, PlacementEntry>,
  ): Promise<number> {
    const due = [...wanted.values()].flatMap((want) => {
      const entry = entries.get(want.restreamId);
      const kept =
        entry && sameTarget(entry.value, want) ? { ...entry.value, epoch: entry.revision } : undefined;
      return kept && this.delivered.has(want.restreamId) ? [] : [{ want, kept }];
    });
    // New placements are written STORE_CONCURRENCY at a time; orders keep the wish's order.
    const placed = await mapBounded(due, STORE_CONCURRENCY, async ({ want, kept }) => {
      if (kept) return kept;
      const { spec, ingestNodeId, ...record } = want;
      const placement = await this.storeStep(() => this.catalog.placements.place(record), want.restreamId);
      if (placement)
        this.parent.info(
          {
            event: "placement_written",
            restreamId: want.restreamId,
            nodeId: want.nodeId,
            epoch: placement.epoch,
          },
          "placement written",
        );
      return placement;
    });
    const orders = new NodeBatches<PlacedOrder>();
    due.forEach(({ want }, i) => {
      const placement = placed[i];
      if (!placement) return;
      this.placements.set(want.restreamId, placement);
      const takeoverFrom = this.vanished(entries.get(want.restreamId)?.value.nodeId, want.nodeId);
      orders.add(want.nodeId, {
        restreamId: want.restreamId,
        channelId: want.channelId,
        epoch: placement.epoch,
        ...(takeoverFrom !== undefined && { takeoverFrom }),
      });
    });
    let delivered = 0;
    let refusals = false;
    const sent = await orders.send(
      "place",
      async (nodeId, batch) => {
        const refused = new Set((await this.parent.ensureActors(nodeId, batch)).refused);
        for (const order of batch) if (!refused.has(order.restreamId)) this.delivered.add(order.restreamId);
        delivered += batch.length - refused.size;
        if (refused.size === 0) return;
        // The node's store did not show it these placements yet (it is catching up after a cut,
        // say), or they are stale: either way the next round sends what the store holds then.
        refusals = true;
        this.parent.warn(
          { event: "orders_refused", nodeId, restreamIds: [...refused] },
          "a node refused placement orders; trying again soon",
        );
      },
      this.parent,
    );
    if (!sent || refusals) this.failed = true;
    return delivered;
  }

  /**
   * A placement write the store refused skips this restream for the round. A compare-and-set that
   * lost to another writer (the placement changed meanwhile) is tried again at once, on what the
   * store holds now; any other store failure (e.g. the store unreachable) is retried after a
   * RETRY delay, so a store that is down is not asked again in a tight loop.
   */
  private async storeStep<T>(step: () => Promise<T>, restreamId: string): Promise<T | undefined> {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      if (error instanceof RevisionMismatchError || error instanceof KeyExistsError) {
        this.parent.warn({ err: error, restreamId }, "placement changed meanwhile; trying again");
        void this.rounds.request();
      } else {
        this.failed = true;
        this.parent.warn({ err: error, restreamId }, "placement write failed; trying again soon");
      }
      return undefined;
    }
  }
}

/** One link per (channel, node) that runs restreams of a channel whose ingest is elsewhere. */
function linksOf(
  wanted: Iterable<Wanted>,
  containerOf: (channelId: string) => Container | undefined,
): ChainLink[] {
  const links = new Map<string, ChainLink>();
  for (const { channelId, ingestNodeId, nodeId } of wanted) {
    if (nodeId === ingestNodeId) continue;
    // MPEG-TS carries every codec: the safe choice for a channel whose codecs are not known here.
    const container = containerOf(channelId) ?? "mpegts";
    links.set(`${channelId}.${nodeId}`, {
      channelId,
      sourceNodeId: ingestNodeId,
      targetNodeId: nodeId,
      container,
    });
  }
  return [...links.values()];
}

function sameTarget(placement: PlacementRecord, want: Wanted | undefined): boolean {
  return placement.nodeId === want?.nodeId && placement.fingerprint === want.fingerprint;
}
