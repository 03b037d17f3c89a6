// Orders grouped by node, so the scheduler sends each node one call per round however many
// restreams it moves; a node that fails is logged and retried next round, never fatal.
/** Per-node batches, sent to all nodes at once; a node that fails is logged, not fatal. */
export class NodeBatches<T> {
  private readonly byNode = new Map<string, T[]>();

  add(nodeId: string, item: T): void {
    const batch = this.byNode.get(nodeId);
    if (batch) batch.push(item);
    else this.byNode.set(nodeId, [item]);
  }

  async send(
    what: string,
    deliver: (nodeId: string, batch: readonly T[]) => Promise<void>,
    log: { warn(details: Record<string, unknown>, message: string): void },
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
