// How the hub classifies and sizes FLV tags, on top of node/media/flv.ts.
import { type FlvTag, isSequenceHeader, SCRIPT, VIDEO } from "../media/flv.js";

/** FLV framing around a tag body: 11-byte tag header + 4-byte PreviousTagSize. */
const TAG_FRAMING = 15;

/**
 * Every byte count of the hub (bytesIn, queues, caps, bitrate) is a tag's size as FLV bytes: what a
 * reader's FLV stream carries. Counting the framing keeps queues bounded even for empty tags.
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

/** Tags every reader needs before any frame: metadata and sequence headers. */
export function isInitTag(tag: FlvTag): boolean {
  return isMetadata(tag) || isSequenceHeader(tag);
}

/** A coded video frame (not a sequence header): what fps counts. */
export function isVideoFrame(tag: FlvTag): boolean {
  return tag.type === VIDEO && !isSequenceHeader(tag);
}

const AMF0_STRING = 0x02;

function amf0String(data: Buffer, offset: number): { value: string; end: number } | null {
  if (data[offset] !== AMF0_STRING || data.length < offset + 3) return null;
  const length = data.readUInt16BE(offset + 1);
  const end = offset + 3 + length;
  if (data.length < end) return null;
  return { value: data.toString("latin1", offset + 3, end), end };
}
