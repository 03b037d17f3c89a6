// The NAL unit arrays of an HEVC decoder configuration record (ISO/IEC 14496-15 8.3.3.1.2,
// "hvcC"): what an Enhanced RTMP SequenceStart carries. Bounds-checked; null when malformed.

export interface HevcParameterSets {
  /** 1-4 bytes: the size of the length prefix of each NAL unit in a coded frame. */
  readonly lengthSize: number;
  /** VPS, SPS, PPS (and SEI) NAL units, in the record's order. */
  readonly units: readonly Buffer[];
}

/** The record's fixed part; then numOfArrays and the arrays of NAL units. */
export const HEVC_RECORD_HEADER = 23;

export function hevcParameterSets(record: Buffer): HevcParameterSets | null {
  if (record.length < HEVC_RECORD_HEADER || record[0] !== 1) return null;
  const lengthSize = ((record[21] as number) & 0x03) + 1;
  const units: Buffer[] = [];
  let at = HEVC_RECORD_HEADER;
  const arrays = record[22] as number;
  for (let i = 0; i < arrays; i += 1) {
    if (at + 3 > record.length) return null;
    const count = record.readUInt16BE(at + 1);
    at += 3;
    for (let j = 0; j < count; j += 1) {
      if (at + 2 > record.length) return null;
      const size = record.readUInt16BE(at);
      if (at + 2 + size > record.length) return null;
      units.push(record.subarray(at + 2, at + 2 + size));
      at += 2 + size;
    }
  }
  return { lengthSize, units };
}
