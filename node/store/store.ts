// The store port: a small key-value map with revisions and watch. It holds what must survive a
// restart (desired state, users, token hashes, allocations). Two adapters implement it behind one
// contract test suite (test/store/contract.ts): SQLite (embedded default) and NATS JetStream KV (mesh).
//
// Keys are dot-separated tokens of [A-Za-z0-9_=-] (JetStream KV's key rules), e.g. "channels.ch_x".
// Values are JSON. Every write gets a revision from one counter per store that only grows, so
// compare-and-set works across keys the way JetStream's stream sequence does.
import { StreamwellError } from "../defs/errors.js";

export interface Entry<T = unknown> {
  readonly key: string;
  readonly value: T;
  readonly revision: number;
}

export type WatchEvent =
  | { readonly op: "put"; readonly entry: Entry }
  | { readonly op: "delete"; readonly key: string; readonly revision: number };

export type Unwatch = () => void;

export interface Store {
  get<T = unknown>(key: string): Promise<Entry<T> | undefined>;
  /** Writes unconditionally; returns the new revision. */
  put(key: string, value: unknown): Promise<number>;
  /** Writes only if the key is absent; throws KeyExistsError otherwise. */
  create(key: string, value: unknown): Promise<number>;
  /** Writes only if the key's revision is `revision`; throws RevisionMismatchError otherwise. */
  update(key: string, value: unknown, revision: number): Promise<number>;
  /** Deletes the key (no-op when absent); with `revision`, only if it still has that revision. */
  delete(key: string, revision?: number): Promise<void>;
  /** Every entry whose key starts with `prefix`, ordered by key. */
  list<T = unknown>(prefix: string): Promise<Entry<T>[]>;
  /** Calls `onEvent` for every later write under `prefix`, in revision order. */
  watch(prefix: string, onEvent: (event: WatchEvent) => void): Unwatch;
  /** Resolves when the store answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends StreamwellError {}
export class KeyExistsError extends StoreError {}
export class RevisionMismatchError extends StoreError {}
export class InvalidKeyError extends StoreError {}
export class InvalidValueError extends StoreError {}
/** The store cannot be reached now (NATS away, no JetStream leader): the caller may retry. */
export class StoreUnavailableError extends StoreError {}

const KEY_PATTERN = /^[A-Za-z0-9_=-]+(\.[A-Za-z0-9_=-]+)*$/;
const PREFIX_PATTERN = /^([A-Za-z0-9_=-]+\.)*[A-Za-z0-9_=-]*$/;

export function assertKey(key: string): void {
  if (!KEY_PATTERN.test(key)) throw new InvalidKeyError(`invalid store key "${key}"`);
}

export function assertPrefix(prefix: string): void {
  if (!PREFIX_PATTERN.test(prefix)) throw new InvalidKeyError(`invalid store key prefix "${prefix}"`);
}

/** Serialises a value or throws InvalidValueError before anything is written. */
export function encodeValue(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new InvalidValueError("value is not JSON-serialisable", { cause });
  }
  if (text === undefined) throw new InvalidValueError("value is not JSON-serialisable");
  return text;
}
