// FLV tags as hub units (RTMP ingest): metadata and the AVC/AAC sequence headers are init units,
// a keyframe is an AVC NALU tag with frame type 1.

import type { FlvTag } from "../defs/flv-tag.js";
import { AUDIO, isKeyframe, isSequenceHeader, SCRIPT, VIDEO } from "../media/flv.js";
import type { UnitFormat } from "./unit-format.js";

/** FLV framing around a tag body: 11-byte tag header + 4-byte PreviousTagSize. */
const TAG_FRAMING = 15;

/**
 * A tag's size as FLV bytes: what a reader's FLV stream carries. Counting the framing keeps queues
 * bounded even for empty tags.
 */
export function flvSize(tag: FlvTag): number {
  return tag.data.length + TAG_FRAMING;
}

/**
 * The onMetaData script tag: an AMF0 string "onMetaData" first, or "@setDataFrame" then
 * "onMetaData" (as an RTMP publisher sends it, if the ingest does not strip the prefix).
 */
export function isMetadata(tag: FlvTag): boolean {
  if (tag.type !== SCRIPT) return false;
  const first = amf0String(tag.data, 0);
  if (first === null) return false;
  if (first.value === "onMetaData") return true;
  return first.value === "@setDataFrame" && amf0String(tag.data, first.end)?.value === "onMetaData";
}

export const FLV_UNITS: UnitFormat<FlvTag> = {
  container: "flv",
  initSlots: ["metadata", "video", "audio"],
  size: flvSize,
  timestamp: (tag) => tag.timestamp,
  isKeyframe,
  audioSize: (tag) => (tag.type === AUDIO && !isSequenceHeader(tag) ? flvSize(tag) : 0),
  isVideoFrame: (tag) => tag.type === VIDEO && !isSequenceHeader(tag),
  initSlot(tag) {
    if (isMetadata(tag)) return "metadata";
    if (isSequenceHeader(tag)) return tag.type === AUDIO ? "audio" : "video";
    return null;
  },
  // New metadata changes nothing a decoder needs; a different sequence header does. Encoders that
  // repeat an identical header do not lose the cache.
  reconfigures: (previous, next) => isSequenceHeader(next) && !previous.data.equals(next.data),
};

const AMF0_STRING = 0x02;

function amf0String(data: Buffer, offset: number): { value: string; end: number } | null {
  if (data[offset] !== AMF0_STRING || data.length < offset + 3) return null;
  const length = data.readUInt16BE(offset + 1);
  const end = offset + 3 + length;
  if (data.length < end) return null;
  return { value: data.toString("latin1", offset + 3, end), end };
}
