// The HEVC decoder configuration record (ISO/IEC 14496-15 8.3.3.1.2, "hvcC") an Enhanced RTMP
// publisher sends as its SequenceStart, and the first SPS inside it (ITU-T H.265 7.3.2.2) for the
// picture size the channel shows. The SPS is read only up to the conformance window; every read
// is bounds-checked (BitReader throws CodecConfigError).
import { hevcParameterSets } from "../../media/hevc-record.js";
import { BitReader, unescapeRbsp } from "./bit-reader.js";
import { CodecConfigError } from "./errors.js";

export interface HevcInfo {
  readonly width: number;
  readonly height: number;
  /** As ffprobe names it: "Main", "Main 10", "Main Still Picture", "Rext"; null for others. */
  readonly profile: string | null;
  /** general_level_idc / 30: "3.1", "4", "5.1". */
  readonly level: string;
}

const SPS = 33;
const PROFILES: Record<number, string> = { 1: "Main", 2: "Main 10", 3: "Main Still Picture", 4: "Rext" };

/** The record from an Enhanced RTMP SequenceStart body (after the 5-byte ExVideoTagHeader). */
export function parseHevcConfig(record: Buffer): HevcInfo {
  const sets = hevcParameterSets(record);
  if (sets === null) throw new CodecConfigError("not an HEVC decoder configuration record, or cut short");
  const sps = sets.units.find((nal) => nal.length > 2 && nalType(nal) === SPS);
  if (!sps) throw new CodecConfigError("HEVC configuration record has no SPS");
  const levelIdc = record[12] as number;
  const { width, height } = spsSize(sps);
  return {
    width,
    height,
    profile: PROFILES[(record[1] as number) & 0x1f] ?? null,
    level: levelIdc % 30 === 0 ? String(levelIdc / 30) : (levelIdc / 30).toFixed(1),
  };
}

function nalType(nal: Buffer): number {
  return ((nal[0] as number) >> 1) & 0x3f;
}

/** pic_width/height_in_luma_samples less the conformance window (H.265 7.4.3.2.1). */
function spsSize(nal: Buffer): { width: number; height: number } {
  const r = new BitReader(unescapeRbsp(nal.subarray(2)));
  r.u(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.u(3);
  r.u(1); // sps_temporal_id_nesting_flag
  skipProfileTierLevel(r, maxSubLayersMinus1);
  r.ue(); // sps_seq_parameter_set_id
  const chromaFormat = r.ue();
  if (chromaFormat > 3) throw new CodecConfigError(`chroma_format_idc ${chromaFormat}`);
  const separatePlanes = chromaFormat === 3 && r.flag();
  let width = r.ue();
  let height = r.ue();
  if (r.flag()) {
    const [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
    const chromaArrayType = separatePlanes ? 0 : chromaFormat;
    const subWidth = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeight = chromaArrayType === 1 ? 2 : 1;
    width -= subWidth * (left + right);
    height -= subHeight * (top + bottom);
  }
  if (width <= 0 || height <= 0) throw new CodecConfigError("SPS leaves no picture");
  return { width, height };
}

/** profile_tier_level(1, maxSubLayersMinus1), H.265 7.3.3: 88 bits of general profile, the level, then the sub-layers'. */
function skipProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): void {
  r.u(32);
  r.u(32);
  r.u(24);
  r.u(8); // general_level_idc
  const present: Array<[boolean, boolean]> = [];
  for (let i = 0; i < maxSubLayersMinus1; i += 1) present.push([r.flag(), r.flag()]);
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i += 1) r.u(2);
  for (const [profile, level] of present) {
    if (profile) {
      r.u(32);
      r.u(32);
      r.u(24);
    }
    if (level) r.u(8);
  }
}
