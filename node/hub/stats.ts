// The ingest's rates for the channel API and Prometheus.
//
// Bitrate and fps are measured on the wall clock (the injected `now()`), over the last
// `windowSeconds` complete seconds: that is the load the node actually carries, and a publisher that
// stalls drops to 0 instead of freezing at its last value. Seconds are counted in one bucket each, so
// memory is fixed whatever the unit rate.
// The keyframe interval is measured on media timestamps (the last two keyframes): it is a property
// of the encoding (its GOP length) and should not pick up network jitter.
import type { IngestStats } from "../defs/codecs.js";
import type { UnitFormat } from "./unit-format.js";

export const DEFAULT_STATS_WINDOW_SECONDS = 5;

interface Bucket {
  second: number;
  bytes: number;
  audioBytes: number;
  frames: number;
}

const EMPTY = { bytes: 0, audioBytes: 0, frames: 0 };

/** Half the 32-bit timestamp range: a larger step is a timestamp going backwards, not an interval. */
const MAX_TIMESTAMP_STEP = 2 ** 31;

export class IngestMeter<U> {
  private readonly buckets: Bucket[];
  private firstSecond: number | null = null;
  private lastKeyframeAt: number | null = null;
  private keyframeIntervalMs = 0;

  constructor(
    private readonly format: UnitFormat<U>,
    private readonly now: () => number,
    private readonly windowSeconds = DEFAULT_STATS_WINDOW_SECONDS,
  ) {
    // One bucket per complete second in the window, plus the second in progress.
    this.buckets = Array.from({ length: windowSeconds + 1 }, () => ({ second: -1, ...EMPTY }));
  }

  record(unit: U): void {
    const second = Math.floor(this.now() / 1000);
    this.firstSecond ??= second;
    const bucket = this.bucket(second);
    if (bucket.second !== second) Object.assign(bucket, { second, ...EMPTY });
    bucket.bytes += this.format.size(unit);
    bucket.audioBytes += this.format.audioSize(unit);
    if (this.format.isVideoFrame(unit)) bucket.frames += 1;
    if (this.format.isKeyframe(unit)) this.keyframe(this.format.timestamp(unit));
  }

  snapshot(): IngestStats {
    const keyframeIntervalSeconds = this.keyframeIntervalMs / 1000;
    const idle = { bitrateBps: 0, audioBitrateBps: 0, fps: 0, keyframeIntervalSeconds };
    const current = Math.floor(this.now() / 1000);
    if (this.firstSecond === null) return idle;
    // Complete seconds only: the second in progress would read low. Early on, fewer seconds exist
    // (the first one, usually partial, counts whole: rates read a little low for a few seconds).
    const from = Math.max(current - this.windowSeconds, this.firstSecond);
    const seconds = current - from;
    if (seconds <= 0) return idle;
    const sum = { ...EMPTY };
    for (const b of this.buckets) {
      if (b.second >= from && b.second < current) {
        sum.bytes += b.bytes;
        sum.audioBytes += b.audioBytes;
        sum.frames += b.frames;
      }
    }
    return {
      bitrateBps: (sum.bytes * 8) / seconds,
      audioBitrateBps: (sum.audioBytes * 8) / seconds,
      fps: sum.frames / seconds,
      keyframeIntervalSeconds,
    };
  }

  private keyframe(timestamp: number): void {
    if (this.lastKeyframeAt !== null) {
      // Timestamps are 32-bit and wrap: the unsigned difference is the step.
      const step = (timestamp - this.lastKeyframeAt) >>> 0;
      if (step > 0 && step < MAX_TIMESTAMP_STEP) this.keyframeIntervalMs = step;
    }
    this.lastKeyframeAt = timestamp;
  }

  private bucket(second: number): Bucket {
    const size = this.buckets.length;
    const bucket = this.buckets[((second % size) + size) % size];
    if (bucket === undefined) throw new Error("unreachable: bucket index out of range");
    return bucket;
  }
}
