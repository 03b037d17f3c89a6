// How many publishers one stream key has at a destination, sampled every 100 ms from nginx-rtmp's
// on_publish / on_publish_done hooks: the most at once (never two for one restream) and how long
// the key had none within a window (the interruption a user's viewers saw).
import type { NginxRtmp } from "./nginx-rtmp.js";

const SAMPLE_MS = 100;

export interface PublisherTimeline {
  /** The most publishers seen at one sample. */
  max(): number;
  /** Publishers at the last sample. */
  now(): number;
  /** Milliseconds with no publisher between `from` and `to` (sample resolution: 100 ms). */
  silentMs(from: number, to: number): number;
  stop(): void;
}

export function samplePublishers(nginx: NginxRtmp, key: string): PublisherTimeline {
  const samples: { at: number; count: number }[] = [];
  const sample = () => {
    let count = 0;
    for (const event of nginx.publisherEvents()) {
      if (event.name === key) count += event.call === "publish" ? 1 : -1;
    }
    samples.push({ at: Date.now(), count });
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    max: () => Math.max(...samples.map((s) => s.count)),
    now: () => samples.at(-1)?.count ?? 0,
    silentMs: (from, to) => {
      let silent = 0;
      for (const [i, s] of samples.entries()) {
        const next = samples[i + 1]?.at ?? Date.now();
        if (s.count > 0) continue;
        silent += Math.max(0, Math.min(next, to) - Math.max(s.at, from));
      }
      return silent;
    },
    stop: () => clearInterval(timer),
  };
}
