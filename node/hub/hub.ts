// ChannelHub: one per live channel on a node. The ingest writes its container's units in (FLV tags
// from RTMP, MPEG-TS units from SRT; `UnitFormat` says which); readers (restream engines, Remote
// Playback, chain links) each get their own bounded queue. The hub keeps the init units and the
// current GOP so a new reader starts on a keyframe at once. No timers, no global state:
// everything happens inside `write`, `end`, `subscribe` and the readers' pulls.
import type { IngestStats } from "../defs/codecs.js";
import type { EndReason } from "../defs/relay.js";
import { HubEndedError } from "./errors.js";
import { DEFAULT_GOP_CACHE_MAX_BYTES, GopCache } from "./gop-cache.js";
import { HubReader, type ReaderOptions, type ReaderParent } from "./reader.js";
import { DEFAULT_STATS_WINDOW_SECONDS, IngestMeter } from "./stats.js";
import type { UnitFormat } from "./unit-format.js";

/** The part of the node's (pino) logger the hub uses. */
export interface HubLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface HubOptions<U> {
  readonly format: UnitFormat<U>;
  readonly logger: HubLogger;
  /** Milliseconds; the wall clock of the bitrate/fps window. Default Date.now. */
  readonly now?: () => number;
  /** Container bytes the GOP cache may hold; default 16 MiB. */
  readonly gopCacheMaxBytes?: number;
  /** Default 5. */
  readonly statsWindowSeconds?: number;
}

export interface HubStats extends IngestStats {
  /** Container bytes written by the ingest (FLV: tag bodies + 15 bytes of framing each). */
  readonly bytesIn: number;
  readonly unitsIn: number;
  /** Readers attached now. */
  readonly readers: number;
}

export class ChannelHub<U> {
  readonly format: UnitFormat<U>;
  private readonly logger: HubLogger;
  private readonly cache: GopCache<U>;
  private readonly meter: IngestMeter<U>;
  private readonly readers = new Set<HubReader<U>>();
  private ended = false;
  private bytesIn = 0;
  private unitsIn = 0;

  /** What readers see of the hub. */
  private readonly parent: ReaderParent<U>;

  constructor(options: HubOptions<U>) {
    this.format = options.format;
    this.parent = {
      format: options.format,
      startPoint: () => this.cache.startPoint(),
      detach: (reader, reason) => this.detach(reader, reason),
    };
    this.logger = options.logger;
    const maxBytes = options.gopCacheMaxBytes ?? DEFAULT_GOP_CACHE_MAX_BYTES;
    this.cache = new GopCache(options.format, maxBytes, (bytes) =>
      this.logger.warn(
        { gopBytes: bytes, gopCacheMaxBytes: maxBytes },
        "hub: GOP over the cache cap, not caching until the next keyframe",
      ),
    );
    this.meter = new IngestMeter(
      options.format,
      options.now ?? Date.now,
      options.statsWindowSeconds ?? DEFAULT_STATS_WINDOW_SECONDS,
    );
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Called by the ingest for every unit, in order. */
  write(unit: U): void {
    if (this.ended) throw new HubEndedError("hub: write after end");
    this.bytesIn += this.format.size(unit);
    this.unitsIn += 1;
    this.meter.record(unit);
    this.cache.add(unit);
    // A reader cut here detaches itself; deleting from a Set while iterating it is safe.
    for (const reader of this.readers) reader.offer(unit);
  }

  /** The publisher left: every reader ends cleanly once it has drained its queue. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const readers = [...this.readers];
    this.readers.clear();
    for (const reader of readers) reader.finish();
  }

  /** A new reader: init units, then the cached GOP (or the next keyframe), then live units. */
  subscribe(options: ReaderOptions = {}): HubReader<U> {
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
      unitsIn: this.unitsIn,
      readers: this.readers.size,
    };
  }

  private detach(reader: HubReader<U>, reason: EndReason): void {
    this.readers.delete(reader);
    if (reason.code === "too_slow") {
      this.logger.warn(
        { reader: reader.name, maxQueueBytes: reader.maxQueueBytes, overflow: reader.overflow },
        `hub: reader cut off, ${reason.message}`,
      );
    }
  }
}
