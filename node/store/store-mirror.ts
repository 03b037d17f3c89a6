// A store decorator that also keeps every record under one prefix in memory, for reads that list
// many of them per request (a channel's restreams: at 10,000 restreams, listing them from the
// JetStream KV took ~1 s per request). The memory is loaded at its first use (the watch first,
// then one list) and kept by the store's change feed; this node's own writes through the
// decorator are applied at once with the revision the store gave them (read-your-writes), other
// nodes' writes when the feed delivers them. An entry only ever moves to a higher revision, and
// a key this node deleted stays gone until the feed delivers that deletion (nothing older can
// come back). Only listMirrored() reads the memory: get() and list() read the store, since a
// compare-and-set, or a rule that must see every record (deleting a channel's restreams), needs
// the store's word.
import type { Entry, Store, Unwatch, WatchEvent } from "./store.js";

export class StoreMirror implements Store {
  private readonly entries = new Map<string, Entry>();
  /** Keys this node deleted whose deletion the feed has not delivered yet. */
  private readonly deleting = new Set<string>();
  private loading: Promise<void> | null = null;
  private unwatch: Unwatch | null = null;

  constructor(
    private readonly inner: Store,
    private readonly prefix: string,
  ) {}

  /** Every record under the prefix as this node knows it now (its own writes included). */
  async listMirrored<T>(): Promise<Entry<T>[]> {
    this.loading ??= this.load();
    await this.loading;
    return [...this.entries.values()] as Entry<T>[];
  }

  /**
   * Whether the memory holds the key now: it was written through this decorator, or the feed
   * brought it. False until the memory is loaded, which the first call starts.
   */
  holds(key: string): boolean {
    if (!this.loading) this.listMirrored().catch(() => {}); // a failed load is tried again at the next use
    return this.entries.has(key);
  }

  get<T = unknown>(key: string): Promise<Entry<T> | undefined> {
    return this.inner.get<T>(key);
  }

  async put(key: string, value: unknown): Promise<number> {
    return this.wrote(key, value, await this.inner.put(key, value));
  }

  async create(key: string, value: unknown): Promise<number> {
    return this.wrote(key, value, await this.inner.create(key, value));
  }

  async update(key: string, value: unknown, revision: number): Promise<number> {
    return this.wrote(key, value, await this.inner.update(key, value, revision));
  }

  async delete(key: string, revision?: number): Promise<void> {
    await this.inner.delete(key, revision);
    if (this.unwatch && key.startsWith(this.prefix) && this.entries.delete(key)) this.deleting.add(key);
  }

  list<T = unknown>(prefix: string): Promise<Entry<T>[]> {
    return this.inner.list<T>(prefix);
  }

  watch(prefix: string, onEvent: (event: WatchEvent) => void): Unwatch {
    return this.inner.watch(prefix, onEvent);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    this.unwatch?.();
    return this.inner.close();
  }

  private async load(): Promise<void> {
    this.unwatch = this.inner.watch(this.prefix, (event) => this.seen(event));
    try {
      for (const entry of await this.inner.list(this.prefix)) this.seen({ op: "put", entry });
    } catch (error) {
      this.unwatch();
      this.unwatch = null;
      this.entries.clear();
      this.loading = null; // the next use tries again
      throw error;
    }
  }

  private wrote(key: string, value: unknown, revision: number): number {
    if (this.unwatch && key.startsWith(this.prefix))
      this.seen({ op: "put", entry: { key, value, revision } });
    return revision;
  }

  private seen(event: WatchEvent): void {
    const key = event.op === "put" ? event.entry.key : event.key;
    const revision = event.op === "put" ? event.entry.revision : event.revision;
    const held = this.entries.get(key);
    if (held && held.revision >= revision) return;
    if (event.op === "delete") {
      this.entries.delete(key);
      this.deleting.delete(key);
    } else if (!this.deleting.has(key)) this.entries.set(key, event.entry);
  }
}
