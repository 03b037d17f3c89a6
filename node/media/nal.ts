// Is an access unit a keyframe? Read from its NAL unit types, for encoders that do not set the
// MPEG-TS random-access indicator: the first coded slice (VCL NAL) decides. H.264: IDR (5).
// HEVC: the IRAP types 16-21 (BLA, IDR, CRA), where a decoder can start.
import type { TsVideoCodec } from "./mpegts.js";

export type SliceVerdict = "keyframe" | "frame" | "unknown";

/** The verdict of the first coded slice in Annex B bytes, or "unknown" when none is in `bytes` yet. */
export function firstSliceVerdict(bytes: Buffer, codec: TsVideoCodec): SliceVerdict {
  for (let at = bytes.indexOf(START_CODE); at !== -1; at = bytes.indexOf(START_CODE, at + 3)) {
    const header = bytes[at + 3];
    if (header === undefined) return "unknown";
    if (codec === "h264") {
      const type = header & 0x1f;
      if (type >= 1 && type <= 5) return type === 5 ? "keyframe" : "frame";
    } else {
      const type = (header >> 1) & 0x3f;
      if (type <= 31) return type >= 16 && type <= 21 ? "keyframe" : "frame";
    }
  }
  return "unknown";
}

/** 00 00 01: also finds the 4-byte form (00 00 00 01) one byte later. */
const START_CODE = Buffer.from([0, 0, 1]);
