// A store that counts the calls made through it, to say what a feature costs the store: reads
// (get, list) and writes (put, create, update, delete). Used by bench/operations-cost.ts and
// test/unit/operations-cost.test.ts.
import type { Store } from "../../node/store/store.js";

const READS = new Set(["get", "list"]);
const WRITES = new Set(["put", "create", "update", "delete"]);

export interface StoreCounts {
  reads: number;
  writes: number;
}

export function countingStore(inner: Store): { store: Store; counts: StoreCounts; reset(): void } {
  const counts: StoreCounts = { reads: 0, writes: 0 };
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (READS.has(String(name))) counts.reads += 1;
        if (WRITES.has(String(name))) counts.writes += 1;
        return value.apply(target, args);
      };
    },
  });
  return {
    store,
    counts,
    reset() {
      counts.reads = 0;
      counts.writes = 0;
    },
  };
}
