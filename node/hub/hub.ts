// ChannelHub: one per live channel on a node. The ingest writes FLV tags in; readers (restream
// engines, Remote Playback, chain links) each get their own bounded queue. The hub keeps the init
// tags and the current GOP so a new reader starts on a keyframe at once. No timers, no global state:
// everything happens inside `write`, `end`, `subscribe` and the readers' pulls.
import type { IngestStats } from "../media/codecs.js";
import type { FlvTag } from "../media/flv.js";
import { HubEndedError } from "./errors.js";
import { DEFAULT_GOP_CACHE_MAX_BYTES, GopCache } from "./gop-cache.js";
import { type EndReason, HubReader, type ReaderOptions, type ReaderParent } from "./reader.js";
import { DEFAULT_STATS_WINDOW_SECONDS, IngestMeter } from "./stats.js";
import { flvSize } from "./tags.js";

/** The part of the node's (pino) logger the hub uses. */
export interface HubLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface HubOptions {
  readonly logger: HubLogger;
  /** Milliseconds; the wall clock of the bitrate/fps window. Default Date.now. */
  readonly now?: () => number;
  /** FLV bytes the GOP cache may hold; default 16 MiB. */
  readonly gopCacheMaxBytes?: number;
  /** Default 5. */
  readonly statsWindowSeconds?: number;
}

export interface HubStats extends IngestStats {
  /** FLV bytes written by the ingest (tag bodies + 15 bytes of framing each). */
  readonly bytesIn: number;
  readonly tagsIn: number;
  /** Readers attached now. */
  readonly readers: number;
}

export class ChannelHub {
  private readonly logger: HubLogger;
  private readonly cache: GopCache;
  private readonly meter: IngestMeter;
  private readonly readers = new Set<HubReader>();
  private ended = false;
  private bytesIn = 0;
  private tagsIn = 0;

  /** What readers see of the hub. */
  private readonly parent: ReaderParent = {
    startPoint: () => this.cache.startPoint(),
    detach: (reader, reason) => this.detach(reader, reason),
  };

  constructor(options: HubOptions) {
    this.logger = options.logger;
    const maxBytes = options.gopCacheMaxBytes ?? DEFAULT_GOP_CACHE_MAX_BYTES;
    this.cache = new GopCache(maxBytes, (bytes) =>
      this.logger.warn(
        { gopBytes: bytes, gopCacheMaxBytes: maxBytes },
        "hub: GOP over the cache cap, not caching until the next keyframe",
      ),
    );
    this.meter = new IngestMeter(
      options.now ?? Date.now,
      options.statsWindowSeconds ?? DEFAULT_STATS_WINDOW_SECONDS,
    );
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Called by the ingest for every tag, in order. */
  write(tag: FlvTag): void {
    if (this.ended) throw new HubEndedError("hub: write after end");
    this.bytesIn += flvSize(tag);
    this.tagsIn += 1;
    this.meter.record(tag);
    this.cache.add(tag);
    // A reader cut here detaches itself; deleting from a Set while iterating it is safe.
    for (const reader of this.readers) reader.offer(tag);
  }

  /** The publisher left: every reader ends cleanly once it has drained its queue. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const readers = [...this.readers];
    this.readers.clear();
    for (const reader of readers) reader.finish();
  }

  /** A new reader: init tags, then the cached GOP (or the next keyframe), then live tags. */
  subscribe(options: ReaderOptions = {}): HubReader {
    const reader = new HubReader(this.parent, options);
    if (this.ended) {
      reader.finish(); // nothing queued: ends at once, reason publisher_left
      return reader;
    }
    // Attach before begin(): a reader cut while queuing its start point must be able to detach.
    this.readers.add(reader);
    reader.begin();
    return reader;
  }

  stats(): HubStats {
    return {
      ...this.meter.snapshot(),
      bytesIn: this.bytesIn,
      tagsIn: this.tagsIn,
      readers: this.readers.size,
    };
  }

  private detach(reader: HubReader, reason: EndReason): void {
    this.readers.delete(reader);
    if (reason.code === "too_slow") {
      this.logger.warn(
        { reader: reader.name, maxQueueBytes: reader.maxQueueBytes, overflow: reader.overflow },
        `hub: reader cut off, ${reason.message}`,
      );
    }
  }
}
