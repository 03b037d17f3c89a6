// A channel feed for actor unit tests: counts the readers the actor opens and closes.
import { PassThrough } from "node:stream";
import type { ChannelCodecs } from "../../node/defs/codecs.js";
import type { Container } from "../../node/defs/container.js";
import type { IngestFeed } from "../../node/defs/relay.js";
import { H264_AAC_720P } from "./codecs.js";

export interface FakeFeed extends IngestFeed {
  readers: number;
  closed: number;
  /** Every reader's stream, in the order they were opened. */
  readonly streams: PassThrough[];
}

export function fakeFeed(codecs: ChannelCodecs = H264_AAC_720P, container: Container = "flv"): FakeFeed {
  const result: FakeFeed = {
    codecs,
    container,
    readers: 0,
    closed: 0,
    streams: [],
    open: () => {
      result.readers += 1;
      const stream = new PassThrough();
      result.streams.push(stream);
      const close = () => {
        result.closed += 1;
      };
      return { stream, close };
    },
  };
  return result;
}
