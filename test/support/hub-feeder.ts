// Feeds a ChannelHub with the test clip's tags in real time, looped with timestamps that keep
// rising: a live channel inside the test process, for engine tests that need no publisher.
import { readFileSync } from "node:fs";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import { ChannelHub, FLV_UNITS } from "../../node/hub/index.js";
import { testClip } from "./media.js";
import { readFlvTags } from "./rtmp-client.js";

export interface HubFeeder {
  readonly hub: ChannelHub<FlvTag>;
  stop(): void;
}

export async function feedHub(): Promise<HubFeeder> {
  const tags: FlvTag[] = readFlvTags(readFileSync(await testClip()));
  const clipMs = (tags.at(-1)?.timestamp ?? 0) + 33;
  const hub = new ChannelHub({ format: FLV_UNITS, logger: { warn: () => {} } });
  const start = Date.now();
  let next = 0;
  let loop = 0;
  const timer = setInterval(() => {
    const now = Date.now() - start;
    for (;;) {
      const tag = tags[next] as FlvTag;
      const timestamp = tag.timestamp + loop * clipMs;
      if (timestamp > now) return;
      hub.write({ ...tag, timestamp });
      next += 1;
      if (next === tags.length) {
        next = 0;
        loop += 1;
      }
    }
  }, 10);
  return {
    hub,
    stop: () => {
      clearInterval(timer);
      hub.end();
    },
  };
}
