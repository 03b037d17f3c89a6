// EncoderPool: the shared encoders of this node, one per channel and output profile. The ActorHost
// asks it for the feed of each restream with a profile other than `copy`; restreams of one channel
// with equal profiles get the same encoder. An encoder starts when the first of them opens a reader
// (SharedEncoder) and stops when the last is released or the channel's ingest goes or changes.
// Synchronous bookkeeping (no await between a look-up and its update), so the host's per-restream
// queues can call it in any order.
import { type OutputProfile, profileKey } from "../defs/output.js";
import type { IngestFeed } from "../defs/relay.js";
import type { RestreamError } from "../defs/restream-status.js";
import type { PidRegistry } from "../ffmpeg/pidfile.js";
import { type EncoderParent, SharedEncoder } from "./shared-encoder.js";

export interface PoolParent {
  readonly pids: PidRegistry;
  readonly log: EncoderParent["log"];
  /** An encoder's failure changed: these restreams report again. */
  changed(restreamIds: readonly string[]): void;
}

/**
 * The same live ingest: the registry hands out a new feed object on every ask, but keeps one codecs
 * object per publish until the codecs change (a republish or a new configuration makes another).
 */
function sameSource(a: IngestFeed, b: IngestFeed): boolean {
  return a.codecs === b.codecs && a.container === b.container;
}

export class EncoderPool {
  private readonly encoders = new Map<string, SharedEncoder>();
  /** restream id -> the key of the encoder it reads (or will, once its channel is live). */
  private readonly users = new Map<string, string>();

  constructor(private readonly parent: PoolParent) {}

  /**
   * The feed a restream with `output` reads: the shared encoder's, made on first use; null while the
   * channel is not live here. A new source (republished, other codecs) replaces the encoder.
   */
  feedFor(
    restreamId: string,
    channelId: string,
    output: OutputProfile,
    source: IngestFeed | null,
  ): IngestFeed | null {
    const key = `${channelId}|${profileKey(output)}`;
    if (this.users.get(restreamId) !== key) this.leave(restreamId);
    this.users.set(restreamId, key);
    const current = this.encoders.get(key);
    if (current && !(source && sameSource(current.source, source))) this.drop(key, current);
    if (!source) return null;
    const encoder = this.encoders.get(key) ?? this.create(key, source, output);
    return encoder.feed;
  }

  /** The restream no longer reads its encoder; the last one out stops it. */
  release(restreamId: string): void {
    this.leave(restreamId);
    this.users.delete(restreamId);
  }

  /** The error of the encoder a restream reads, while it backs off. */
  failure(restreamId: string): RestreamError | null {
    const key = this.users.get(restreamId);
    return (key && this.encoders.get(key)?.failure) || null;
  }

  /** Running encoders (for tests and the node's counts). */
  get size(): number {
    return this.encoders.size;
  }

  async stopAll(): Promise<void> {
    const all = [...this.encoders.values()];
    this.encoders.clear();
    await Promise.all(all.map((encoder) => encoder.stop()));
  }

  private create(key: string, source: IngestFeed, output: OutputProfile): SharedEncoder {
    const encoder = new SharedEncoder(key, source, output, {
      pids: this.parent.pids,
      log: this.parent.log,
      changed: () => this.parent.changed(this.readersOf(key)),
    });
    this.encoders.set(key, encoder);
    return encoder;
  }

  private leave(restreamId: string): void {
    const key = this.users.get(restreamId);
    if (key === undefined) return;
    this.users.delete(restreamId);
    const encoder = this.encoders.get(key);
    if (encoder && this.readersOf(key).length === 0) this.drop(key, encoder);
  }

  private drop(key: string, encoder: SharedEncoder): void {
    this.encoders.delete(key);
    void encoder.stop();
  }

  private readersOf(key: string): string[] {
    return [...this.users].filter(([, used]) => used === key).map(([restreamId]) => restreamId);
  }
}
