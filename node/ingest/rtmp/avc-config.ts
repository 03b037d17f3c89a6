// The AVC decoder configuration record (ISO/IEC 14496-15) an RTMP publisher sends as its video
// sequence header, and the first SPS inside it (ITU-T H.264 7.3.2.1.1) for the picture size,
// profile and level the channel shows. We read the SPS only up to the frame cropping fields.
import { BitReader, unescapeRbsp } from "./bit-reader.js";
import { CodecConfigError } from "./errors.js";

export interface AvcInfo {
  readonly width: number;
  readonly height: number;
  /** The name ffprobe gives it ("High", "Constrained Baseline", "High 4:2:2 Intra", ...), or null. */
  readonly profile: string | null;
  /** "3.1", "4.0", "1b". */
  readonly level: string;
}

/** Profiles whose SPS carries chroma format, bit depths and scaling matrices. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Named as ffmpeg's libavcodec/profiles.c names them, so the API agrees with ffprobe. */
function profileName(idc: number, constraints: number): string | null {
  const set1 = (constraints & 0x40) !== 0;
  const set3 = (constraints & 0x10) !== 0;
  const intra = set3 ? " Intra" : "";
  switch (idc) {
    case 66:
      return set1 ? "Constrained Baseline" : "Baseline";
    case 77:
      return "Main";
    case 88:
      return "Extended";
    case 100:
      return "High";
    case 110:
      return `High 10${intra}`;
    case 122:
      return `High 4:2:2${intra}`;
    case 244:
      return set3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive";
    case 44:
      return "CAVLC 4:4:4";
    case 118:
      return "Multiview High";
    case 128:
      return "Stereo High";
    default:
      return null;
  }
}

function levelName(idc: number, profileIdc: number, constraints: number): string {
  const set3 = (constraints & 0x10) !== 0;
  if (idc === 9 || (idc === 11 && set3 && (profileIdc === 66 || profileIdc === 77 || profileIdc === 88)))
    return "1b";
  return `${Math.floor(idc / 10)}.${idc % 10}`;
}

/** The record from an FLV/RTMP AVC sequence header body (after the 5-byte video tag header). */
export function parseAvcConfig(record: Buffer): AvcInfo {
  if (record.length < 7 || record[0] !== 1)
    throw new CodecConfigError("not an AVC decoder configuration record");
  const spsCount = (record[5] as number) & 0x1f;
  if (spsCount === 0) throw new CodecConfigError("AVC configuration record has no SPS");
  const length = record.readUInt16BE(6);
  if (8 + length > record.length || length < 4)
    throw new CodecConfigError("AVC configuration record SPS is cut short");
  return parseSps(record.subarray(8, 8 + length));
}

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) next = (last + r.se() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/** One SPS NAL unit (header byte included). */
export function parseSps(nal: Buffer): AvcInfo {
  if (((nal[0] as number) & 0x1f) !== 7) throw new CodecConfigError("first parameter set is not an SPS");
  const r = new BitReader(unescapeRbsp(nal.subarray(1)));
  const profileIdc = r.u(8);
  const constraints = r.u(8);
  const levelIdc = r.u(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let separatePlanes = false;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormat = r.ue();
    if (chromaFormat > 3) throw new CodecConfigError(`chroma_format_idc ${chromaFormat}`);
    if (chromaFormat === 3) separatePlanes = r.flag();
    r.ue(); // bit_depth_luma_minus8
    r.ue(); // bit_depth_chroma_minus8
    r.flag(); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      const lists = chromaFormat === 3 ? 12 : 8;
      for (let i = 0; i < lists; i++) if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.flag();
    r.se();
    r.se();
    const cycle = r.ue();
    if (cycle > 255) throw new CodecConfigError("num_ref_frames_in_pic_order_cnt_cycle above 255");
    for (let i = 0; i < cycle; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.flag(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag() ? 1 : 0;
  if (!frameMbsOnly) r.flag(); // mb_adaptive_frame_field_flag
  r.flag(); // direct_8x8_inference_flag
  let [left, right, top, bottom] = [0, 0, 0, 0];
  if (r.flag()) [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
  // Crop units (H.264 7.4.2.1.1): luma samples for monochrome or separate planes, else chroma.
  const chromaArrayType = separatePlanes ? 0 : chromaFormat;
  const subWidth = chromaArrayType === 3 ? 1 : 2;
  const subHeight = chromaArrayType === 1 ? 2 : 1;
  const cropX = chromaArrayType === 0 ? 1 : subWidth;
  const cropY = (chromaArrayType === 0 ? 1 : subHeight) * (2 - frameMbsOnly);
  const width = widthMbs * 16 - cropX * (left + right);
  const height = (2 - frameMbsOnly) * heightMapUnits * 16 - cropY * (top + bottom);
  if (width <= 0 || height <= 0) throw new CodecConfigError("SPS cropping leaves no picture");
  return {
    width,
    height,
    profile: profileName(profileIdc, constraints),
    level: levelName(levelIdc, profileIdc, constraints),
  };
}
