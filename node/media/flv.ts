// FLV tags (node/defs/flv-tag.ts): their types, what a reader must see first, and their bytes.
import type { FlvTag, TagType } from "../defs/flv-tag.js";

export const AUDIO: TagType = 8;
export const VIDEO: TagType = 9;
export const SCRIPT: TagType = 18;

const AVC = 7;
const AAC = 10;

/** An AVC frame a decoder can start on: FLV frame type 1 with a NALU payload (AVCPacketType 1), so
 * neither a sequence header (0) nor the end-of-sequence tag (2) that encoders send last. */
export function isKeyframe(tag: FlvTag): boolean {
  const first = tag.data[0];
  return (
    tag.type === VIDEO &&
    first !== undefined &&
    first >> 4 === 1 &&
    (first & 0x0f) === AVC &&
    tag.data[1] === 1
  );
}

/** The AVC decoder configuration record or the AAC AudioSpecificConfig: every reader needs them first. */
export function isSequenceHeader(tag: FlvTag): boolean {
  const first = tag.data[0];
  if (first === undefined || tag.data[1] !== 0) return false;
  if (tag.type === VIDEO) return (first & 0x0f) === AVC;
  if (tag.type === AUDIO) return first >> 4 === AAC;
  return false;
}

/** An AVC frame's composition time offset (ms, signed 24 bits): its presentation time minus its timestamp. */
export function compositionTime(tag: FlvTag): number {
  if (tag.type !== VIDEO || tag.data.length < 5 || tag.data[1] !== 1) return 0;
  return tag.data.readIntBE(2, 3);
}

/** "FLV", version 1, audio + video, header length 9, then PreviousTagSize0. */
export const FLV_HEADER: Buffer = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 0x09, 0, 0, 0, 0]);

/** One tag as FLV bytes: 11-byte tag header, body, PreviousTagSize. */
export function encodeTag(tag: FlvTag): Buffer {
  const out = Buffer.allocUnsafe(11 + tag.data.length + 4);
  const timestamp = tag.timestamp >>> 0;
  out[0] = tag.type;
  out.writeUIntBE(tag.data.length, 1, 3);
  out.writeUIntBE(timestamp & 0xffffff, 4, 3);
  out[7] = (timestamp >>> 24) & 0xff;
  out.writeUIntBE(0, 8, 3); // stream id, always 0
  tag.data.copy(out, 11);
  out.writeUInt32BE(11 + tag.data.length, 11 + tag.data.length);
  return out;
}
