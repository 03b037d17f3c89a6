// Read-modify-write over compare-and-set: retried when another writer got there first, so
// concurrent edits from any node never overwrite each other blindly.
import { NotFoundError } from "../defs/errors.js";
import { RevisionMismatchError, type Store } from "./store.js";

const ATTEMPTS = 8;

export async function mutate<T>(
  store: Store,
  key: string,
  change: (current: T) => T | Promise<T>,
  notFound: () => Error = () => new NotFoundError(`${key} not found`),
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const entry = await store.get<T>(key);
    if (!entry) throw notFound();
    const next = await change(entry.value);
    try {
      await store.update(key, next, entry.revision);
      return next;
    } catch (error) {
      if (!(error instanceof RevisionMismatchError) || attempt >= ATTEMPTS) throw error;
    }
  }
}
