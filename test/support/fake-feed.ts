// A channel feed for actor unit tests: counts the readers the actor opens, closes and resumes.
import { PassThrough } from "node:stream";
import type { ChannelCodecs } from "../../node/defs/codecs.js";
import type { IngestFeed } from "../../node/defs/relay.js";
import { H264_AAC_720P } from "./codecs.js";

export interface FakeFeed extends IngestFeed {
  readers: number;
  closed: number;
  resumed: number;
}

export function fakeFeed(codecs: ChannelCodecs = H264_AAC_720P): FakeFeed {
  const result: FakeFeed = {
    codecs,
    container: "flv",
    readers: 0,
    closed: 0,
    resumed: 0,
    open: () => reader(),
    openPrimed: () => ({
      ...reader(),
      resume: () => {
        result.resumed += 1;
      },
    }),
  };
  const reader = () => {
    result.readers += 1;
    const close = () => {
      result.closed += 1;
    };
    return { stream: new PassThrough(), close };
  };
  return result;
}
