// Read-modify-write over compare-and-set: retried when another writer got there first, so
// concurrent edits from any node never overwrite each other blindly. A retry waits a random
// moment first, so that writers who collided do not collide again in step.
import { NotFoundError } from "../defs/errors.js";
import { RevisionMismatchError, type Store } from "./store.js";

const ATTEMPTS = 8;
/** The longest wait before a retry, times the attempt's number. */
const JITTER_MS = 2;

export async function mutate<T>(
  store: Store,
  key: string,
  change: (current: T) => T | Promise<T>,
  notFound: () => Error = () => new NotFoundError(`${key} not found`),
  attempts = ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const entry = await store.get<T>(key);
    if (!entry) throw notFound();
    const next = await change(entry.value);
    try {
      await store.update(key, next, entry.revision);
      return next;
    } catch (error) {
      if (!(error instanceof RevisionMismatchError) || attempt >= attempts) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * JITTER_MS * attempt));
  }
}
