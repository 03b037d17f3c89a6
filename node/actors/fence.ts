// The node's side of placement: it runs a restream's actor only while the store's placement
// names this node with the order's epoch, and stops it as soon as the placement moves or goes.
// So an order from a deposed leader is refused, and a node that missed a removal order (it was
// cut off, the call failed) still stops its actor when it sees the store change. What the actor
// runs is read from the store too (StoredSpecs), never taken from the order. The check
// against the store awaits, so the calls for one restream run one at a time (a KeyedQueue): a
// remove called after an ensure always wins, and the other way round.
import type { Placement, Placements } from "../catalog/placements.js";
import type { ActorOrder, PlacedOrder } from "../defs/orders.js";
import { KeyedQueue } from "../kit/queue.js";
import type { Unwatch } from "../store/store.js";

/** How long a retry waits for the store to confirm its placement (a store call of a cut-off node would wait 15 s). */
export const CONFIRM_TIMEOUT_MS = 2_000;

export interface FencedHost {
  ensure(order: ActorOrder): Promise<void>;
  remove(restreamId: string): Promise<void>;
  /** Stops the pushes still connecting (they retry later, if the fence confirms them). */
  abortConnecting(): Promise<void>;
}

/** Whether this node holds its fence lease now (./lease.ts). */
export interface Lease {
  held(): boolean;
}

/** What a restream's actor runs, as the store has it now; null when it is gone or cannot run. */
export interface StoredSpecs {
  actorOrder(restreamId: string): Promise<ActorOrder | null>;
}

export interface FenceLog {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

export class PlacementFence {
  /** restreamId -> epoch of the placements that name this node, mirrored from the store. */
  private readonly mine = new Map<string, number>();
  /** restreamId -> epoch of the order each hosted actor runs under. */
  private readonly hosted = new Map<string, number>();
  private unwatch: Unwatch | null = null;
  private readonly queue = new KeyedQueue<string>();

  constructor(
    private readonly nodeId: string,
    private readonly placements: Placements,
    private readonly host: FencedHost,
    private readonly specs: StoredSpecs,
    private readonly lease: Lease,
    private readonly log: FenceLog,
  ) {}

  async start(): Promise<void> {
    this.unwatch = this.placements.watch((restreamId, revision, placement) =>
      this.changed(restreamId, revision, placement),
    );
    for (const [restreamId, entry] of await this.placements.list()) {
      const seen = this.mine.get(restreamId) ?? 0; // the watch may have delivered a newer one
      if (entry.value.nodeId === this.nodeId && entry.revision > seen)
        this.mine.set(restreamId, entry.revision);
    }
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = null;
  }

  /**
   * Asked before a hosted actor's retry connects: whether this node holds its lease and the store
   * still places the restream here. Read from the store itself (the stream leader), not from the
   * watch, which a node back from a cut may not have caught up on yet. A placement moved or gone also removes the actor; a store
   * that does not answer in CONFIRM_TIMEOUT_MS (this node is cut off) says no, and the actor tries
   * again at its next retry.
   */
  async confirm(restreamId: string): Promise<boolean> {
    if (!this.hosted.has(restreamId) || !this.lease.held()) return false;
    let placement: Placement | undefined;
    try {
      placement = await withTimeout(this.placements.get(restreamId), CONFIRM_TIMEOUT_MS);
    } catch {
      return false;
    }
    if (placement?.nodeId === this.nodeId) return true;
    this.log.info({ event: "placement_lost", restreamId }, "placement moved or removed: stopping the actor");
    void this.remove([restreamId]);
    return false;
  }

  /** The lease ran out (./lease.ts): a connect in flight might complete after a takeover elsewhere. */
  leaseLapsed(): void {
    this.log.warn(
      { event: "lease_lapsed" },
      "the store took no lease renewal for 1 s: aborting pushes still connecting",
    );
    void this.host.abortConnecting();
  }

  /** Runs the orders that the store confirms; the others are stale and refused. */
  async ensure(orders: readonly PlacedOrder[]): Promise<{ refused: string[] }> {
    const ran = await Promise.all(
      orders.map((order) => this.queue.run(order.restreamId, () => this.ensureOne(order))),
    );
    return { refused: orders.filter((_, i) => !ran[i]).map((order) => order.restreamId) };
  }

  async remove(restreamIds: readonly string[]): Promise<void> {
    await Promise.all(
      restreamIds.map((restreamId) =>
        this.queue.run(restreamId, () => {
          this.hosted.delete(restreamId);
          return this.host.remove(restreamId);
        }),
      ),
    );
  }

  /** Runs the order if the store confirms it; false: refused as stale. */
  private async ensureOne(order: PlacedOrder): Promise<boolean> {
    const objection = await this.objection(order);
    const stored = objection === null ? await this.specs.actorOrder(order.restreamId) : null;
    if (stored?.channelId !== order.channelId) {
      const reason = objection ?? "the restream is not in the store for this channel, or cannot run";
      this.log.info(
        { event: "order_refused", restreamId: order.restreamId, epoch: order.epoch, reason },
        "stale placement order refused",
      );
      return false;
    }
    this.hosted.set(order.restreamId, order.epoch);
    await this.host.ensure(
      order.takeoverFrom === undefined ? stored : { ...stored, takeoverFrom: order.takeoverFrom },
    );
    return true;
  }

  /** Null when the store places the restream here under the order's epoch, else why not. */
  private async objection(order: PlacedOrder): Promise<string | null> {
    const known = this.mine.get(order.restreamId);
    if (known === order.epoch) return null;
    if (known !== undefined && known > order.epoch) return `a newer placement here is known (epoch ${known})`;
    // The watch may lag the leader's write: ask the store itself.
    const placement = await this.placements.get(order.restreamId);
    if (placement?.nodeId === this.nodeId && placement.epoch === order.epoch) return null;
    return placement
      ? `the store places it on ${placement.nodeId} at epoch ${placement.epoch}`
      : "the store has no placement of it";
  }

  private changed(restreamId: string, revision: number, placement: Placement | undefined): void {
    if (placement?.nodeId === this.nodeId) this.mine.set(restreamId, revision);
    else this.mine.delete(restreamId);
    const epoch = this.hosted.get(restreamId);
    if (epoch === undefined || revision <= epoch || placement?.nodeId === this.nodeId) return;
    this.log.info({ event: "placement_lost", restreamId }, "placement moved or removed: stopping the actor");
    void this.remove([restreamId]);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
