// Is an access unit a keyframe? Read from its NAL unit types, for encoders that do not set the
// MPEG-TS random-access indicator: the first coded slice (VCL NAL) decides. H.264: IDR (5).
// HEVC: the IRAP types 16-21 (BLA, IDR, CRA), where a decoder can start.
import type { TsVideoCodec } from "./mpegts.js";

export type SliceVerdict = "keyframe" | "frame" | "unknown";

/** The verdict of the first coded slice in Annex B bytes, or "unknown" when none is in `bytes` yet. */
export function firstSliceVerdict(bytes: Buffer, codec: TsVideoCodec): SliceVerdict {
  const at = firstSliceAt(bytes, codec);
  if (at === null) return "unknown";
  const header = bytes[at] as number;
  if (codec === "h264") return (header & 0x1f) === 5 ? "keyframe" : "frame";
  const type = hevcNalType(header);
  return type >= 16 && type <= 21 ? "keyframe" : "frame";
}

/** Where the first coded slice's NAL header byte is in Annex B bytes; null when none is in `bytes` yet. */
export function firstSliceAt(bytes: Buffer, codec: TsVideoCodec): number | null {
  for (let at = bytes.indexOf(START_CODE); at !== -1; at = bytes.indexOf(START_CODE, at + 3)) {
    const header = bytes[at + 3];
    if (header === undefined) return null;
    const slice = codec === "h264" ? (header & 0x1f) >= 1 && (header & 0x1f) <= 5 : hevcNalType(header) <= 31;
    if (slice) return at + 3;
  }
  return null;
}

/** An HEVC NAL unit's type, from the first byte of its header. */
export function hevcNalType(header: number): number {
  return (header >> 1) & 0x3f;
}

/** 00 00 01: also finds the 4-byte form (00 00 00 01) one byte later. */
const START_CODE = Buffer.from([0, 0, 1]);
