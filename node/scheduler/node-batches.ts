// Orders grouped by node, so the scheduler sends each node a few calls per round however many
// restreams it moves; a call that fails is logged and retried by a later round, never fatal.

/**
 * Items per call. NATS refuses messages over its max_payload (1 MB by default); an order is ~300 bytes
 * (more with a long stream key), so one node's 5,000 orders in one call would never arrive.
 */
const CALL_LIMIT = 500;

/** Per-node batches, sent to all nodes at once in calls of CALL_LIMIT; a call that fails is logged, not fatal. */
export class NodeBatches<T> {
  private readonly byNode = new Map<string, T[]>();

  add(nodeId: string, item: T): void {
    const batch = this.byNode.get(nodeId);
    if (batch) batch.push(item);
    else this.byNode.set(nodeId, [item]);
  }

  /** Resolves true when every call was answered, false when one failed (and was logged). */
  async send(
    what: string,
    deliver: (nodeId: string, batch: readonly T[]) => Promise<void>,
    log: { warn(details: Record<string, unknown>, message: string): void },
  ): Promise<boolean> {
    let all = true;
    await Promise.all(
      [...this.byNode].map(async ([nodeId, batch]) => {
        for (let start = 0; start < batch.length; start += CALL_LIMIT) {
          const part = batch.slice(start, start + CALL_LIMIT);
          await deliver(nodeId, part).catch((error: unknown) => {
            all = false;
            log.warn({ err: error, targetNode: nodeId, count: part.length }, `could not ${what} actors`);
          });
        }
      }),
    );
    return all;
  }
}
