// One run of a shared encoder as a hub (./shared-encoder.ts): ffmpeg's stdout cut into units of its
// container and fanned out to the restreams it feeds. FLV: tags, which native RTMP pushes read as
// they are; MPEG-TS (a profile that copies HEVC): bytes only, as an SRT ingest's hub.
import type { Readable } from "node:stream";
import type { Container } from "../defs/container.js";
import type { FeedReader, TagSource } from "../defs/relay.js";
import {
  type ByteStreamOptions,
  ChannelHub,
  FLV_UNITS,
  type HubLogger,
  type HubReader,
  TS_UNITS,
  toFlvStream,
  toTsStream,
  type UnitFormat,
} from "../hub/index.js";
import { FlvSplitter } from "../media/flv-splitter.js";
import { TsSplitter } from "../media/ts-splitter.js";

/** As the ingest's readers: the byte stream of a reader coalesces 40 ms of units per write. */
const COALESCE_MS = 40;

export interface EncodedHub {
  /** A chunk of ffmpeg's stdout, in any chunking. */
  write(chunk: Buffer): void;
  /** A new reader, starting on a keyframe; `name` shows in hub logs. */
  open(name: string): FeedReader;
  readonly isEnded: boolean;
  /** The run is over: readers end once drained. */
  end(): void;
}

export function encodedHub(container: Container, logger: HubLogger): EncodedHub {
  return container === "flv"
    ? unitHub(FLV_UNITS, new FlvSplitter(), toFlvStream, (reader) => reader, logger)
    : unitHub(TS_UNITS, new TsSplitter(), toTsStream, () => undefined, logger);
}

function unitHub<U>(
  format: UnitFormat<U>,
  splitter: { push(chunk: Buffer): U[] },
  toStream: (reader: HubReader<U>, options: ByteStreamOptions) => Readable,
  /** The units a native RTMP push reads instead of bytes: FLV tags only. */
  tagsOf: (reader: HubReader<U>) => TagSource | undefined,
  logger: HubLogger,
): EncodedHub {
  const hub = new ChannelHub({ format, logger });
  return {
    write(chunk) {
      for (const unit of splitter.push(chunk)) hub.write(unit);
    },
    open(name) {
      const reader = hub.subscribe({ name });
      const tags = tagsOf(reader);
      let stream: Readable | undefined;
      return {
        get stream() {
          stream ??= toStream(reader, { coalesceMs: COALESCE_MS });
          return stream;
        },
        ...(tags && { tags }),
        close: () => reader.close(),
      };
    },
    get isEnded() {
      return hub.isEnded;
    },
    end: () => hub.end(),
  };
}
