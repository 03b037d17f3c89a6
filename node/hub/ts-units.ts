// MPEG-TS units as hub units (SRT ingest; cut by node/media/ts-splitter.ts): the PAT and the PMT are
// the init units, a changed PMT (another codec) drops the cached GOP, and a reader's bytes are the
// units' packets back to back (MPEG-TS has no file header).
import type { Readable } from "node:stream";
import type { TsUnit } from "../media/ts-splitter.js";
import { type ByteEncoding, type ByteStreamOptions, toByteStream } from "./byte-stream.js";
import type { HubReader } from "./reader.js";
import type { UnitFormat } from "./unit-format.js";

export const TS_UNITS: UnitFormat<TsUnit> = {
  container: "mpegts",
  initSlots: ["pat", "pmt"],
  size: (unit) => unit.bytes.length,
  timestamp: (unit) => unit.timestamp,
  isKeyframe: (unit) => unit.kind === "media" && unit.keyframe,
  isVideoFrame: (unit) => unit.kind === "media" && unit.videoFrame,
  audioSize: (unit) => (unit.kind === "media" ? unit.audioBytes : 0),
  initSlot: (unit) => (unit.kind === "media" ? null : unit.kind),
  reconfigures: (previous, next) =>
    previous.kind !== "media" && next.kind !== "media" && !previous.section.equals(next.section),
};

const TS_BYTES: ByteEncoding<TsUnit> = { bytesOf: (unit) => unit.bytes };

export function toTsStream(reader: HubReader<TsUnit>, options: ByteStreamOptions = {}): Readable {
  return toByteStream(reader, TS_BYTES, options);
}
