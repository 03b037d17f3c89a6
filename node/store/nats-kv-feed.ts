// The change feed of a NATS KV store: one bucket-wide watch per store that hands every change (from
// this node or any other) to the store's watchers, in revision (stream sequence) order. It
// remembers the last revision it delivered and resumes right after it whenever the watch ends: on
// reconnect (a restarted nats-server has forgotten the watch's consumer), or after an error. A
// resumed watch may repeat revisions; they are dropped, so every watcher sees each change once.
import { type KV, type KvEntry, KvWatchInclude, type QueuedIterator } from "nats";
import type { Unwatch, WatchEvent } from "./store.js";

interface Watcher {
  readonly prefix: string;
  /** Changes at or below this revision happened before the watcher was added. */
  readonly after: number;
  readonly onEvent: (event: WatchEvent) => void;
}

export interface FeedHooks {
  /** A watcher threw: reported, never passed on to the feed. */
  readonly onWatchError: (error: unknown) => void;
  /** The watch failed and will be resumed (e.g. JetStream not ready yet after a restart). */
  readonly onFeedError: (error: unknown) => void;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2_000;

export class KvChangeFeed {
  private readonly watchers = new Set<Watcher>();
  private current: QueuedIterator<KvEntry> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly running: Promise<void>;

  /** Starts watching after `lastRevision` (the stream's last sequence when the store opened). */
  constructor(
    private readonly kv: KV,
    private lastRevision: number,
    private readonly hooks: FeedHooks,
  ) {
    this.running = this.run();
  }

  get delivered(): number {
    return this.lastRevision;
  }

  add(prefix: string, after: number, onEvent: (event: WatchEvent) => void): Unwatch {
    const watcher = { prefix, after: Math.max(after, this.lastRevision), onEvent };
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
    };
  }

  /** Ends the current watch so that it resumes at once, after the last delivered revision. */
  resume(): void {
    this.current?.stop();
    this.wake?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.clear();
    this.resume();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        const changes = await this.kv.watch({
          key: ">",
          include: KvWatchInclude.AllHistory,
          resumeFromRevision: this.lastRevision + 1,
        });
        this.current = changes;
        if (this.closed) changes.stop();
        failures = 0;
        for await (const entry of changes) this.deliver(entry);
      } catch (error) {
        if (!this.closed) this.hooks.onFeedError(error);
        failures += 1;
      }
      this.current = undefined;
      if (!this.closed) await this.pause(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** failures));
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private deliver(entry: KvEntry): void {
    if (entry.revision <= this.lastRevision) return;
    this.lastRevision = entry.revision;
    const event = toEvent(entry, this.hooks.onWatchError);
    if (!event) return;
    for (const watcher of [...this.watchers]) {
      // Checked again: an earlier watcher may have unwatched this one during this event.
      if (!this.watchers.has(watcher) || entry.revision <= watcher.after) continue;
      if (!entry.key.startsWith(watcher.prefix)) continue;
      try {
        watcher.onEvent(event);
      } catch (error) {
        this.hooks.onWatchError(error);
      }
    }
  }
}

function toEvent(entry: KvEntry, onError: (error: unknown) => void): WatchEvent | undefined {
  if (entry.operation !== "PUT") return { op: "delete", key: entry.key, revision: entry.revision };
  try {
    return {
      op: "put",
      entry: { key: entry.key, value: JSON.parse(entry.string()), revision: entry.revision },
    };
  } catch (error) {
    // Written by something else than a Streamwell node (e.g. the nats CLI): skipped, reported.
    onError(error);
    return undefined;
  }
}
