// Runs async steps over many items with at most `limit` in flight: the scheduler leader writes
// thousands of placements at once, each one a store round trip, and one after the other they took
// ~2.8 ms each (28 s for 10,000); unbounded they would swamp the store and the event loop.

/** `step` for every item, at most `limit` at a time; results in the items' order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  step: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await step(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
