// Collects the state changes this node sees (its actors' reports, its ingests going live or
// offline, users starting and stopping) and writes them to the HistoryLog in batches: recording
// is a push onto an in-memory list, so the media path never waits for the store. Every
// FLUSH_MS the batch is written, one append per subject that changed. A change that repeats
// the subject's last recorded state (and error code) is dropped.
import type { Logger } from "../kit/log.js";
import { type HistoryEntry, type HistoryLog, SEGMENT_ENTRIES } from "./history-log.js";

export const FLUSH_MS = 1_000;
/** A store that is away for long cannot make the node hold an unbounded backlog. */
const MAX_PENDING_PER_SUBJECT = SEGMENT_ENTRIES * 4;

export class HistoryRecorder {
  private pending = new Map<string, HistoryEntry[]>();
  /** Subject -> the last state recorded here, to drop repeats. */
  private readonly last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: HistoryLog,
    private readonly nodeId: string,
    private readonly logger: Pick<Logger, "warn">,
    private readonly flushMs = FLUSH_MS,
  ) {}

  record(subject: string, state: string, error: HistoryEntry["error"] = null): void {
    const signature = `${state}/${error?.code ?? ""}`;
    if (this.last.get(subject) === signature) return;
    this.last.set(subject, signature);
    const entry: HistoryEntry = {
      time: new Date().toISOString(),
      state,
      error: error && { code: error.code, message: error.message },
      node: this.nodeId,
    };
    const queue = this.pending.get(subject) ?? [];
    queue.push(entry);
    if (queue.length > MAX_PENDING_PER_SUBJECT) queue.shift();
    this.pending.set(subject, queue);
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** The subject is gone: nothing more is written for it. */
  forget(subject: string): void {
    this.pending.delete(subject);
    this.last.delete(subject);
  }

  /** Writes what is pending now (also called at shutdown); resolves when written. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: ReadonlyMap<string, HistoryEntry[]>): Promise<void> {
    for (const [subject, entries] of batch) {
      for (let from = 0; from < entries.length; from += SEGMENT_ENTRIES) {
        try {
          await this.log.append(subject, entries.slice(from, from + SEGMENT_ENTRIES));
        } catch (error) {
          this.logger.warn({ err: error, subject }, "could not write history");
        }
      }
    }
  }
}
