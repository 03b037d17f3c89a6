// Live ingest stats from the tags alone, over a sliding window of media time, so whoever holds
// the sink (the channel hub) can answer `stats` in the channel API and /metrics without the
// session's help. Media timestamps, not the wall clock: a publisher that bursts a backlog on
// connect does not show a spike.
import type { IngestStats } from "../../defs/codecs.js";
import type { FlvTag } from "../../defs/flv-tag.js";
import { isKeyframe, isSequenceHeader, VIDEO } from "../../media/flv.js";

interface Sample {
  readonly timestamp: number;
  readonly bytes: number;
  readonly frame: boolean;
}

/** A jump this large (ms) means a new timeline (republish, timestamp reset): start over. */
const DISCONTINUITY_MS = 10_000;
const KEYFRAMES_KEPT = 6;

export class IngestStatsWindow {
  private samples: Sample[] = [];
  private head = 0;
  private keyframes: number[] = [];
  private first: number | null = null;
  private latest = 0;

  constructor(private readonly windowMs = 5_000) {}

  add(tag: FlvTag): void {
    const ts = tag.timestamp;
    if (this.first !== null && Math.abs(ts - this.latest) > DISCONTINUITY_MS) this.reset();
    if (this.first === null) this.first = ts;
    this.latest = Math.max(this.latest, ts);
    const frame = tag.type === VIDEO && !isSequenceHeader(tag);
    this.samples.push({ timestamp: ts, bytes: tag.data.length, frame });
    if (isKeyframe(tag)) {
      this.keyframes.push(ts);
      if (this.keyframes.length > KEYFRAMES_KEPT) this.keyframes.shift();
    }
    this.evict();
  }

  snapshot(): Omit<IngestStats, "audioBitrateBps"> {
    const duration = this.first === null ? 0 : Math.min(this.windowMs, this.latest - this.first);
    if (duration <= 0) return { bitrateBps: 0, fps: 0, keyframeIntervalSeconds: this.keyframeInterval() };
    let bytes = 0;
    let frames = 0;
    for (let i = this.head; i < this.samples.length; i++) {
      const sample = this.samples[i] as Sample;
      bytes += sample.bytes;
      if (sample.frame) frames++;
    }
    return {
      bitrateBps: Math.round((bytes * 8 * 1000) / duration),
      fps: Math.round((frames * 1000 * 100) / duration) / 100,
      keyframeIntervalSeconds: this.keyframeInterval(),
    };
  }

  private keyframeInterval(): number {
    const k = this.keyframes;
    if (k.length < 2) return 0;
    return Math.round(((k[k.length - 1] as number) - (k[0] as number)) / (k.length - 1)) / 1000;
  }

  /** Keeps samples in (latest - window, latest]; compacts the array now and then. */
  private evict(): void {
    const cutoff = this.latest - this.windowMs;
    while (this.head < this.samples.length && (this.samples[this.head] as Sample).timestamp <= cutoff)
      this.head++;
    if (this.head > 1024 && this.head * 2 > this.samples.length) {
      this.samples = this.samples.slice(this.head);
      this.head = 0;
    }
  }

  private reset(): void {
    this.samples = [];
    this.head = 0;
    this.keyframes = [];
    this.first = null;
    this.latest = 0;
  }
}
