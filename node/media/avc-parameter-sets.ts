// The SPS and PPS of an AVC decoder configuration record, put in band in front of a keyframe. A
// stream that switches encoders sends the new record as a new sequence header, but parsers that
// read only the first one (ffmpeg's own h264 parser among them) then misread the new slices; the
// same parameter sets in the keyframe's own NAL units are understood by every decoder and parser.
import type { FlvTag } from "../defs/flv-tag.js";

/** FLV video tag body: frame type/codec, AVCPacketType, composition time (3 bytes), then NAL units. */
const AVC_HEADER_BYTES = 5;
const AVC = 7;

/** The record's parameter sets as length-prefixed NAL units (the record's own length size); null if malformed. */
function parameterSets(record: Buffer): Buffer | null {
  if (record.length < 7 || record[0] !== 1) return null;
  const lengthSize = ((record[4] as number) & 0x03) + 1;
  const units: Buffer[] = [];
  let at = 5;
  for (const countMask of [0x1f, 0xff]) {
    if (at >= record.length) return null;
    const count = (record[at] as number) & countMask;
    at += 1;
    for (let i = 0; i < count; i += 1) {
      if (at + 2 > record.length) return null;
      const size = record.readUInt16BE(at);
      const nal = record.subarray(at + 2, at + 2 + size);
      if (nal.length !== size) return null;
      const prefix = Buffer.alloc(lengthSize);
      prefix.writeUIntBE(size, 0, lengthSize);
      units.push(prefix, nal);
      at += 2 + size;
    }
  }
  return Buffer.concat(units);
}

/**
 * The keyframe with the record's SPS and PPS in front of its NAL units. `sequenceHeader` is the
 * FLV AVC sequence header tag's body; a malformed one leaves the keyframe as it is, and so does
 * any keyframe but a legacy AVC one (an Enhanced RTMP HEVC channel's readers get its parameter sets
 * in band from node/media/flv-to-ts.ts).
 */
export function withParameterSets(keyframe: FlvTag, sequenceHeader: Buffer): FlvTag {
  const first = keyframe.data[0] ?? 0;
  if (first & 0x80 || (first & 0x0f) !== AVC) return keyframe;
  const sets = parameterSets(sequenceHeader.subarray(AVC_HEADER_BYTES));
  if (sets === null || keyframe.data.length < AVC_HEADER_BYTES) return keyframe;
  const header = keyframe.data.subarray(0, AVC_HEADER_BYTES);
  return { ...keyframe, data: Buffer.concat([header, sets, keyframe.data.subarray(AVC_HEADER_BYTES)]) };
}
