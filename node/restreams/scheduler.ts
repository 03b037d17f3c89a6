// The scheduler decides which restream actors run where: an actor (a push, or a Remote Playback
// listener) runs on the node that holds its channel's ingest, while the restream is started and its
// feature switches are on. (In the mesh a Remote Playback actor must stay on the node its URL names,
// fed by a chain link: that placement rule goes here.) Every
// node runs one; only the leader acts. It compares that wish with the placements in the store,
// rewrites them with compare-and-set (each new placement one epoch higher), and sends each node
// its orders in one batch. Nodes run an actor only while its placement names them, so orders
// from a deposed leader, or a node that missed a removal, cannot leave two pushers behind.
//
// Triggers: a store change (desired state, destinations, switches), an ingest going live or
// offline, a node joining or leaving, and a periodic sweep that retries what failed.
import { createHash } from "node:crypto";
import type { ActorOrder } from "../actors/host.js";
import type { ActorSpec } from "../actors/relay.js";
import type { Catalog } from "../catalog/catalog.js";
import { requiredFeatures } from "../catalog/features.js";
import type { PlacementEntry } from "../catalog/placements.js";
import type { DestinationRecord, PlacementRecord } from "../catalog/records.js";
import { StoreError } from "../store/store.js";
import { actorSpecOf } from "./relay-spec.js";

/** What a node is told to run: the placement's epoch proves the order is current. */
export interface PlacedOrder extends ActorOrder {
  readonly epoch: number;
}

/** How the scheduler reaches actor hosts (Moleculer calls with a nodeID, in the services). */
export interface SchedulerParent {
  ensureActors(nodeId: string, orders: readonly PlacedOrder[]): Promise<void>;
  removeActors(nodeId: string, restreamIds: readonly string[]): Promise<void>;
  /** Only the leader places actors; the others keep their view current and wait. */
  isLeader(): boolean;
  /** Whether a node is in the mesh now (a node that left is not sent orders). */
  isUp(nodeId: string): boolean;
  warn(details: Record<string, unknown>, message: string): void;
}

interface Wanted extends PlacementRecord {
  readonly spec: ActorSpec;
}

export class Scheduler {
  /** channelId -> the node holding its ingest. */
  private readonly ingests = new Map<string, string>();
  /** The placements read by the last reconcile, to know which deliveries an event invalidates. */
  private placements = new Map<string, PlacementRecord>();
  /** Restreams whose current placement this leader has delivered to its node. */
  private readonly delivered = new Set<string>();
  private running: Promise<void> | null = null;
  private pending = false;

  constructor(
    private readonly catalog: Catalog,
    private readonly parent: SchedulerParent,
  ) {}

  /** A channel went live on a node (perhaps again, after a restart): its actors are sent again. */
  ingestLive(channelId: string, nodeId: string): void {
    this.ingests.set(channelId, nodeId);
    this.redeliver((placement) => placement.channelId === channelId);
  }

  /** Ignored when the channel is live elsewhere by now (its publisher moved). */
  ingestOffline(channelId: string, nodeId: string): void {
    if (this.ingests.get(channelId) !== nodeId) return;
    this.ingests.delete(channelId);
    this.request();
  }

  /** Replaces the whole ingest map with what the nodes say now (periodic resync: covers lost events). */
  syncIngests(ingests: readonly { channelId: string; nodeId: string }[]): void {
    this.ingests.clear();
    for (const { channelId, nodeId } of ingests) this.ingests.set(channelId, nodeId);
    this.request();
  }

  /** A node joined (or came back with nothing running): what is placed there is sent again. */
  nodeJoined(nodeId: string): void {
    this.redeliver((placement) => placement.nodeId === nodeId);
  }

  /** A node left the mesh: its ingests and actors went with it. */
  nodeLeft(nodeId: string): void {
    for (const [channelId, node] of this.ingests) if (node === nodeId) this.ingests.delete(channelId);
    this.request();
  }

  /** Asks for a reconcile; calls while one runs coalesce into one more. Resolves when settled. */
  request(): Promise<void> {
    if (this.running) {
      this.pending = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.pending = false;
        await this.reconcile().catch((error: unknown) =>
          this.parent.warn({ err: error }, "reconcile failed"),
        );
      } while (this.pending);
      this.running = null;
    })();
    return this.running;
  }

  private redeliver(match: (placement: PlacementRecord) => boolean): void {
    for (const [restreamId, placement] of this.placements)
      if (match(placement)) this.delivered.delete(restreamId);
    this.request();
  }

  private async wanted(): Promise<Map<string, Wanted>> {
    const [restreams, destinations, features] = await Promise.all([
      this.catalog.restreams.list(),
      this.catalog.destinations.list(),
      this.catalog.features.get(),
    ]);
    const byId = new Map<string, DestinationRecord>(destinations.map((d) => [d.id, d]));
    const wanted = new Map<string, Wanted>();
    for (const restream of restreams) {
      const nodeId = this.ingests.get(restream.channelId);
      if (restream.desired !== "started" || nodeId === undefined) continue;
      const destination = restream.kind === "destination" ? byId.get(restream.destinationId) : undefined;
      if (!requiredFeatures(restream, destination).every((name) => features[name])) continue;
      const spec = actorSpecOf(restream, destination);
      if (!spec) continue;
      const fingerprint = createHash("sha256").update(JSON.stringify(spec)).digest("hex");
      wanted.set(restream.id, {
        restreamId: restream.id,
        nodeId,
        channelId: restream.channelId,
        spec,
        fingerprint,
      });
    }
    return wanted;
  }

  private async reconcile(): Promise<void> {
    if (!this.parent.isLeader()) {
      this.delivered.clear(); // a later leadership starts by delivering everything again
      return;
    }
    const [wanted, entries] = await Promise.all([this.wanted(), this.catalog.placements.list()]);
    this.placements = new Map([...entries].map(([id, entry]) => [id, entry.value]));
    await this.removeUnwanted(wanted, entries);
    await this.placeWanted(wanted, entries);
  }

  /**
   * Placements that name another node or an older spec, or that nothing wants: removed, then
   * their actors stopped. (A changed spec is a new placement: the push restarts with it.)
   */
  private async removeUnwanted(
    wanted: ReadonlyMap<string, Wanted>,
    entries: ReadonlyMap<string, PlacementEntry>,
  ) {
    const removals = new Batches<string>();
    for (const [restreamId, entry] of entries) {
      if (sameTarget(entry.value, wanted.get(restreamId))) continue;
      const removed = await this.storeStep(
        () => this.catalog.placements.remove(entry).then(() => true),
        restreamId,
      );
      if (!removed) continue;
      this.placements.delete(restreamId);
      this.delivered.delete(restreamId);
      if (this.parent.isUp(entry.value.nodeId)) removals.add(entry.value.nodeId, restreamId);
    }
    // The nodes also see the removal in the store and stop these actors themselves; this only
    // makes it prompt. A node that is gone has nothing to stop.
    await removals.send("remove", (nodeId, ids) => this.parent.removeActors(nodeId, ids), this.parent);
  }

  private async placeWanted(
    wanted: ReadonlyMap<string, Wanted>,
    entries: ReadonlyMap<string, PlacementEntry>,
  ) {
    const orders = new Batches<PlacedOrder>();
    for (const [restreamId, want] of wanted) {
      const entry = entries.get(restreamId);
      const kept =
        entry && sameTarget(entry.value, want) ? { ...entry.value, epoch: entry.revision } : undefined;
      if (kept && this.delivered.has(restreamId)) continue;
      const { spec, ...record } = want;
      const placement =
        kept ?? (await this.storeStep(() => this.catalog.placements.place(record), restreamId));
      if (!placement) continue;
      this.placements.set(restreamId, placement);
      orders.add(want.nodeId, { restreamId, channelId: want.channelId, spec, epoch: placement.epoch });
    }
    await orders.send(
      "place",
      async (nodeId, batch) => {
        await this.parent.ensureActors(nodeId, batch);
        for (const order of batch) this.delivered.add(order.restreamId);
      },
      this.parent,
    );
  }

  /** A compare-and-set that lost to another writer is skipped, and tried again next round. */
  private async storeStep<T>(step: () => Promise<T>, restreamId: string): Promise<T | undefined> {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      this.parent.warn({ err: error, restreamId }, "placement changed meanwhile; trying again");
      this.pending = true;
      return undefined;
    }
  }
}

function sameTarget(placement: PlacementRecord, want: Wanted | undefined): boolean {
  return placement.nodeId === want?.nodeId && placement.fingerprint === want.fingerprint;
}

/** Per-node batches, sent to all nodes at once; a node that fails is logged, not fatal. */
class Batches<T> {
  private readonly byNode = new Map<string, T[]>();

  add(nodeId: string, item: T): void {
    const batch = this.byNode.get(nodeId);
    if (batch) batch.push(item);
    else this.byNode.set(nodeId, [item]);
  }

  async send(
    what: string,
    deliver: (nodeId: string, batch: readonly T[]) => Promise<void>,
    log: Pick<SchedulerParent, "warn">,
  ): Promise<void> {
    await Promise.all(
      [...this.byNode].map(([nodeId, batch]) =>
        deliver(nodeId, batch).catch((error: unknown) =>
          log.warn({ err: error, targetNode: nodeId, count: batch.length }, `could not ${what} actors`),
        ),
      ),
    );
  }
}
