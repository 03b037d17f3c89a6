// The store as the rest of the node sees it when secrets are sealed at rest: a decorator over any
// adapter (SQLite, NATS KV) that seals the secret fields of a record on every write and opens them
// on every read, list and watch event. Callers (the catalog, the scheduler, chain links, the
// ingest) keep reading and writing plain values; the adapter, its files and the KV only ever hold
// sealed ones. Which fields are secret is the caller's policy (catalog/secret-fields.ts), keyed by
// store key prefix; a field is sealed with its store key and path as associated data.
import { Sealer } from "../kit/sealer.js";
import type { Entry, Store, Unwatch, WatchEvent } from "./store.js";

/** Store key prefix -> dot paths of the secret string fields of the records under it. */
export type SecretFields = Readonly<Record<string, readonly string[]>>;

export class SealedStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly sealer: Sealer,
    private readonly fields: SecretFields,
  ) {}

  async get<T = unknown>(key: string): Promise<Entry<T> | undefined> {
    const entry = await this.inner.get<T>(key);
    return entry && this.opened(entry);
  }

  put(key: string, value: unknown): Promise<number> {
    return this.inner.put(key, this.sealed(key, value));
  }

  create(key: string, value: unknown): Promise<number> {
    return this.inner.create(key, this.sealed(key, value));
  }

  update(key: string, value: unknown, revision: number): Promise<number> {
    return this.inner.update(key, this.sealed(key, value), revision);
  }

  delete(key: string, revision?: number): Promise<void> {
    return this.inner.delete(key, revision);
  }

  async list<T = unknown>(prefix: string): Promise<Entry<T>[]> {
    return (await this.inner.list<T>(prefix)).map((entry) => this.opened(entry));
  }

  watch(prefix: string, onEvent: (event: WatchEvent) => void): Unwatch {
    return this.inner.watch(prefix, (event) =>
      onEvent(event.op === "put" ? { op: "put", entry: this.opened(event.entry) } : event),
    );
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The value with every secret field sealed (plain ones sealed, ones sealed by an old key sealed anew). */
  sealed(key: string, value: unknown): unknown {
    return mapFields(value, this.pathsOf(key), (path, field) => {
      if (!Sealer.isSealed(field)) return this.sealer.seal(field, contextOf(key, path));
      if (!this.sealer.isStale(field)) return field;
      return this.sealer.seal(this.sealer.open(field, contextOf(key, path)), contextOf(key, path));
    });
  }

  /** True when `value` as stored still holds a plain secret, or one sealed by a previous key. */
  needsSealing(key: string, value: unknown): boolean {
    let needs = false;
    mapFields(value, this.pathsOf(key), (_path, field) => {
      needs ||= !Sealer.isSealed(field) || this.sealer.isStale(field);
      return field;
    });
    return needs;
  }

  /** Prefixes whose records hold secrets (for the migration at start). */
  get prefixes(): string[] {
    return Object.keys(this.fields);
  }

  private opened<T>(entry: Entry<T>): Entry<T> {
    const value = mapFields(entry.value, this.pathsOf(entry.key), (path, field) =>
      Sealer.isSealed(field) ? this.sealer.open(field, contextOf(entry.key, path)) : field,
    );
    return value === entry.value ? entry : { ...entry, value: value as T };
  }

  private pathsOf(key: string): readonly string[] {
    for (const [prefix, paths] of Object.entries(this.fields)) if (key.startsWith(prefix)) return paths;
    return [];
  }
}

function contextOf(key: string, path: string): string {
  return `${key}#${path}`;
}

/**
 * A copy of `value` with each string found at one of `paths` replaced by `change`; the value itself
 * when nothing changed. Absent fields, nulls and non-strings are left as they are.
 */
function mapFields(
  value: unknown,
  paths: readonly string[],
  change: (path: string, field: string) => string,
): unknown {
  let result = value;
  for (const path of paths) result = mapPath(result, path.split("."), (field) => change(path, field));
  return result;
}

function mapPath(value: unknown, steps: readonly string[], change: (field: string) => string): unknown {
  const [step, ...rest] = steps;
  if (step === undefined || value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (!(step in record)) return value;
  const field = record[step];
  const next =
    rest.length === 0 ? (typeof field === "string" ? change(field) : field) : mapPath(field, rest, change);
  return next === field ? value : { ...record, [step]: next };
}
