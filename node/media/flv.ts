// FLV tags (node/defs/flv-tag.ts): their types, what a reader must see first, and their bytes.
import type { FlvTag, TagType } from "../defs/flv-tag.js";

export const AUDIO: TagType = 8;
export const VIDEO: TagType = 9;
export const SCRIPT: TagType = 18;

const AVC = 7;
const AAC = 10;

/**
 * Enhanced RTMP's video tag header (veovera.org/docs/enhanced/enhanced-rtmp-v1, "ExVideoTagHeader";
 * v2 adds Multitrack and ModEx): bit 7 of the first byte is IsExHeader, bits 6-4 the frame type,
 * bits 3-0 the packet type, then a FourCC ("hvc1", "av01", "vp09", "avc1") names the codec.
 */
export const EX_PACKET = {
  sequenceStart: 0,
  codedFrames: 1,
  sequenceEnd: 2,
  /** Coded frames whose composition time offset is 0, so it is not sent. */
  codedFramesX: 3,
  metadata: 4,
  mpeg2TsSequenceStart: 5,
  multitrack: 6,
  modEx: 7,
} as const;

export interface ExVideoHeader {
  readonly frameType: number;
  readonly packetType: number;
  readonly fourCc: string;
  /** Where the packet's body (configuration record, NAL units) starts in the tag's data. */
  readonly bodyOffset: number;
  /** CodedFrames of hvc1/avc1 carry an SI24 offset (ms) after the FourCC; 0 otherwise. */
  readonly compositionTime: number;
}

/** The header of an Enhanced RTMP video tag; null for a legacy tag or one too short to hold it. */
export function exVideoHeader(data: Buffer): ExVideoHeader | null {
  const first = data[0];
  if (first === undefined || !(first & 0x80) || data.length < 5) return null;
  const packetType = first & 0x0f;
  const fourCc = data.toString("latin1", 1, 5);
  const timed = packetType === EX_PACKET.codedFrames && (fourCc === "hvc1" || fourCc === "avc1");
  if (timed && data.length < 8) return null;
  return {
    frameType: (first >> 4) & 0x07,
    packetType,
    fourCc,
    bodyOffset: timed ? 8 : 5,
    compositionTime: timed ? data.readIntBE(5, 3) : 0,
  };
}

function isCodedFrames(header: ExVideoHeader): boolean {
  return header.packetType === EX_PACKET.codedFrames || header.packetType === EX_PACKET.codedFramesX;
}

/** A video frame a decoder can start on: frame type 1 with coded data, so neither a sequence
 * header nor the end-of-sequence tag that encoders send last. AVC: AVCPacketType 1; Enhanced RTMP:
 * CodedFrames or CodedFramesX. */
export function isKeyframe(tag: FlvTag): boolean {
  if (tag.type !== VIDEO) return false;
  const first = tag.data[0];
  if (first === undefined) return false;
  if (first & 0x80) {
    const header = exVideoHeader(tag.data);
    return header !== null && header.frameType === 1 && isCodedFrames(header);
  }
  return first >> 4 === 1 && (first & 0x0f) === AVC && tag.data[1] === 1;
}

/** The decoder configuration (AVC, or an Enhanced RTMP SequenceStart) or the AAC
 * AudioSpecificConfig: every reader needs them first. */
export function isSequenceHeader(tag: FlvTag): boolean {
  const first = tag.data[0];
  if (first === undefined) return false;
  if (tag.type === VIDEO && first & 0x80) {
    return exVideoHeader(tag.data)?.packetType === EX_PACKET.sequenceStart;
  }
  if (tag.data[1] !== 0) return false;
  if (tag.type === VIDEO) return (first & 0x0f) === AVC;
  if (tag.type === AUDIO) return first >> 4 === AAC;
  return false;
}

/** A video frame's composition time offset (ms, signed 24 bits): its presentation time minus its timestamp. */
export function compositionTime(tag: FlvTag): number {
  if (tag.type !== VIDEO) return 0;
  if (((tag.data[0] ?? 0) & 0x80) !== 0) return exVideoHeader(tag.data)?.compositionTime ?? 0;
  if (tag.data.length < 5 || tag.data[1] !== 1) return 0;
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
