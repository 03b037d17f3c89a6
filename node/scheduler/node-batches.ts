// Orders grouped by node, so the scheduler sends each node a few calls per round however many
// restreams it moves; a call that fails is logged and retried by a later round, never fatal.

/**
 * Items per call. NATS refuses messages over its max_payload (1 MB by default); an order is ~300 bytes
 * (more with a long stream key), so one node's 5,000 orders in one call would never arrive.
 */
export const CALL_LIMIT = 500;

interface Sender<T> {
  readonly what: string;
  readonly deliver: (nodeId: string, batch: readonly T[]) => Promise<void>;
  readonly log: { warn(details: Record<string, unknown>, message: string): void };
}

/**
 * Per-node batches of at most CALL_LIMIT. A node's batch is sent as soon as it is full, while the
 * caller goes on adding (the scheduler writes the next placements meanwhile); a node's calls go one
 * after the other, in the order added; the nodes' calls run at the same time.
 */
export class NodeBatches<T> {
  private readonly pending = new Map<string, T[]>();
  /** Each node's calls so far, chained. */
  private readonly sending = new Map<string, Promise<void>>();
  private failed = false;

  constructor(private readonly sender: Sender<T>) {}

  add(nodeId: string, item: T): void {
    const batch = this.pending.get(nodeId) ?? [];
    batch.push(item);
    this.pending.set(nodeId, batch);
    if (batch.length >= CALL_LIMIT) this.send(nodeId);
  }

  /** Sends what is left; resolves true when every call was answered, false when one failed (logged). */
  async done(): Promise<boolean> {
    for (const nodeId of [...this.pending.keys()]) this.send(nodeId);
    await Promise.all(this.sending.values());
    return !this.failed;
  }

  private send(nodeId: string): void {
    const batch = this.pending.get(nodeId);
    this.pending.delete(nodeId);
    if (!batch) return;
    const { what, deliver, log } = this.sender;
    const previous = this.sending.get(nodeId) ?? Promise.resolve();
    const call = previous.then(() =>
      deliver(nodeId, batch).catch((error: unknown) => {
        this.failed = true;
        log.warn({ err: error, targetNode: nodeId, count: batch.length }, `could not ${what} actors`);
      }),
    );
    this.sending.set(nodeId, call);
  }
}
