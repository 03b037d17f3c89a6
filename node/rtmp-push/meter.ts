// A push's progress for the actor: bytes the kernel took, bitrate and speed over the last seconds.
// Speed is media time sent per wall-clock time: 1.0 keeps up with a live channel, less falls behind.
// A report is due once a second, and only while bytes advance: a push that stalls reports nothing,
// which is what the actor's stall watchdog waits for.
import type { RelayProgress } from "../defs/relay.js";

const REPORT_EVERY_MS = 1_000;
const WINDOW_MS = 5_000;

interface Sample {
  readonly at: number;
  readonly bytes: number;
  readonly mediaMs: number;
}

export class PushMeter {
  private bytes = 0;
  private mediaMs = 0;
  private reportedBytes = 0;
  private reportedAt: number | null = null;
  private samples: Sample[];

  constructor(now: number) {
    this.samples = [{ at: now, bytes: 0, mediaMs: 0 }];
  }

  /** The kernel took `bytes` more. */
  flushed(bytes: number): void {
    this.bytes += bytes;
  }

  /** A tag stamped `mediaMs` (rebased: the push starts at 0) was written. */
  sent(mediaMs: number): void {
    if (mediaMs > this.mediaMs) this.mediaMs = mediaMs;
  }

  /** The first flush at once, then one report a second while bytes advance; null when none is due. */
  due(now: number): RelayProgress | null {
    if (this.bytes === this.reportedBytes) return null;
    if (this.reportedAt !== null && now - this.reportedAt < REPORT_EVERY_MS) return null;
    this.reportedAt = now;
    this.reportedBytes = this.bytes;
    const base = this.samples[0] as Sample;
    const elapsed = now - base.at;
    this.samples.push({ at: now, bytes: this.bytes, mediaMs: this.mediaMs });
    // Keep one sample at least WINDOW_MS old as the base of the next report.
    while (this.samples.length > 2 && now - (this.samples[1] as Sample).at >= WINDOW_MS) this.samples.shift();
    // Under a second the start's GOP burst would read as a huge bitrate: say nothing yet.
    if (elapsed < REPORT_EVERY_MS) return { bytesSent: this.bytes, bitrateBps: 0, speed: 0 };
    return {
      bytesSent: this.bytes,
      bitrateBps: ((this.bytes - base.bytes) * 8 * 1000) / elapsed,
      speed: (this.mediaMs - base.mediaMs) / elapsed,
    };
  }
}
