// A hub reader of FLV tags as FLV bytes: what an RTMP-fed relay's ffmpeg reads on stdin; or, for a
// channel whose video came over Enhanced RTMP, as MPEG-TS (ffmpeg 5.1 cannot read that FLV), as
// bytes or as MPEG-TS units (what a slate hold of such a channel splices).
import type { Readable } from "node:stream";
import type { FlvTag } from "../defs/flv-tag.js";
import type { UnitSource } from "../defs/relay.js";
import type { TsUnit } from "../defs/ts-unit.js";
import { encodeTag, FLV_HEADER } from "../media/flv.js";
import { FlvToTs, type TsTracks } from "../media/flv-to-ts.js";
import { TsSplitter } from "../media/ts-splitter.js";
import { type ByteEncoding, type ByteStreamOptions, toByteStream } from "./byte-stream.js";
import type { HubReader } from "./reader.js";

/** One encoding per tag, shared by every reader of the hub (tags are immutable). */
const encoded = new WeakMap<FlvTag, Buffer>();

const FLV_BYTES: ByteEncoding<FlvTag> = {
  header: FLV_HEADER,
  bytesOf(tag) {
    let bytes = encoded.get(tag);
    if (!bytes) {
      bytes = encodeTag(tag);
      encoded.set(tag, bytes);
    }
    return bytes;
  },
};

export function toFlvStream(reader: HubReader<FlvTag>, options: ByteStreamOptions = {}): Readable {
  return toByteStream(reader, FLV_BYTES, options);
}

const NOTHING = Buffer.alloc(0);

/** The reader's tags remuxed to MPEG-TS, one converter per reader (its continuity counters). */
export function toFlvAsTsStream(
  reader: HubReader<FlvTag>,
  tracks: TsTracks,
  options: ByteStreamOptions = {},
): Readable {
  const converter = new FlvToTs(tracks);
  // A tag that makes no packets (a sequence header, a track MPEG-TS leaves out) adds no bytes.
  return toByteStream(reader, { bytesOf: (tag) => converter.push(tag) ?? NOTHING }, options);
}

/** The reader's tags remuxed to MPEG-TS and cut into units as an SRT ingest's hub cuts them. */
export function toFlvAsTsUnits(reader: HubReader<FlvTag>, tracks: TsTracks): UnitSource<TsUnit> {
  const converter = new FlvToTs(tracks);
  const splitter = new TsSplitter();
  const queued: TsUnit[] = [];
  let flushed = false;
  return {
    poll() {
      while (queued.length === 0) {
        const tag = reader.poll();
        if (tag !== undefined) {
          const bytes = converter.push(tag);
          if (bytes) queued.push(...splitter.push(bytes));
        } else if (reader.state === "ended" && !flushed) {
          // The last frame is complete only when its stream ends.
          flushed = true;
          queued.push(...splitter.end());
        } else break;
      }
      return queued.shift();
    },
    whenEnded: () => reader.whenEnded(),
  };
}
