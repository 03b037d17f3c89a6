// What a SlateHold needs to know of the units it holds, per container: FLV tags (RTMP ingest, a
// channel with a backup) and MPEG-TS units (SRT ingest: H.264 or HEVC). Each has its hub format
// (keyframes, video frames, init units, timestamps), a splice that makes several sources one
// stream (FlvSplice, TsSplice), how a unit of the looped clip is moved later, how the hold's units
// become bytes for ffmpeg, and how the hold is handed to an engine as a reader.
import type { Readable } from "node:stream";
import type { FlvTag } from "../defs/flv-tag.js";
import type { FeedReader, UnitSource } from "../defs/relay.js";
import type { TsUnit } from "../defs/ts-unit.js";
import type { ByteEncoding } from "../hub/byte-stream.js";
import { FLV_UNITS } from "../hub/flv-units.js";
import { TS_UNITS } from "../hub/ts-units.js";
import type { UnitFormat } from "../hub/unit-format.js";
import { FlvSplice } from "../ingest/inputs/flv-splice.js";
import { encodeTag, FLV_HEADER, isSequenceHeader } from "../media/flv.js";
import { TsSplice } from "../media/ts-splice.js";
import { shiftClocks } from "../media/ts-timing.js";
import { type ClipFormat, FLV_CLIP, TS_CLIP } from "./slate-store.js";

/** One continuous stream out of several sources: a cut starts a source, pass continues it. */
export interface Splice<U> {
  cut(init: readonly U[], units: readonly U[]): void;
  pass(unit: U): void;
}

export interface HoldUnits<U> {
  readonly format: UnitFormat<U>;
  /** The reader's units; undefined when it is of another container. */
  source(reader: FeedReader): UnitSource<U> | undefined;
  /** The init units a source returning from the slate is cut in with (not metadata). */
  cutsInWith(unit: U): boolean;
  /** The unit `ms` later (the clip's next loop). */
  later(unit: U, ms: number): U;
  splice(emit: (unit: U) => void): Splice<U>;
  /** The slate clip in this container. */
  readonly clip: ClipFormat<U>;
  readonly bytes: ByteEncoding<U>;
  /** The hold as an engine's reader: its units, and its bytes (made on first use). */
  reader(hold: UnitSource<U> & { close(): void }, stream: () => Readable): FeedReader;
}

export const FLV_HOLD: HoldUnits<FlvTag> = {
  format: FLV_UNITS,
  source: (reader) => reader.tags,
  cutsInWith: isSequenceHeader,
  later: (tag, ms) => ({ ...tag, timestamp: tag.timestamp + ms }),
  splice: (emit) => new FlvSplice(emit),
  clip: FLV_CLIP,
  bytes: { header: FLV_HEADER, bytesOf: encodeTag },
  reader: (hold, stream) => ({
    tags: hold,
    close: () => hold.close(),
    get stream() {
      return stream();
    },
  }),
};

export const TS_HOLD: HoldUnits<TsUnit> = {
  format: TS_UNITS,
  source: (reader) => reader.tsUnits,
  cutsInWith: (unit) => unit.kind !== "media",
  later(unit, ms) {
    const bytes = Buffer.from(unit.bytes);
    for (let at = 0; at + 188 <= bytes.length; at += 188) shiftClocks(bytes.subarray(at, at + 188), ms * 90);
    return { ...unit, bytes, timestamp: unit.timestamp + ms };
  },
  splice: (emit) => new TsSplice(emit),
  clip: TS_CLIP,
  bytes: { bytesOf: (unit) => unit.bytes },
  reader: (hold, stream) => ({
    tsUnits: hold,
    close: () => hold.close(),
    get stream() {
      return stream();
    },
  }),
};
