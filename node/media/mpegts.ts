// MPEG-TS (ISO/IEC 13818-1) as far as the hub and the SRT ingest need it: packet headers, the PAT
// and PMT (which PIDs carry which codec), and a PES header's PTS. Pure functions over one 188-byte
// packet; sections are read only when they fit in one packet, which the PAT and the PMT of a
// one-program stream always do.
import type { AudioCodec, VideoCodec } from "../defs/codecs.js";

/** The video codecs MPEG-TS carries here. */
export type TsVideoCodec = Extract<VideoCodec, "h264" | "hevc">;

export const TS_PACKET = 188;
export const SYNC_BYTE = 0x47;
export const PAT_PID = 0;
export const NULL_PID = 0x1fff;

export interface PacketHeader {
  readonly pid: number;
  /** payload_unit_start_indicator: a PES packet or a section starts in this packet. */
  readonly unitStart: boolean;
  /** The adaptation field's random_access_indicator: a decoder can start here. */
  readonly randomAccess: boolean;
  /** Offset of the payload in the packet; TS_PACKET when there is none. */
  readonly payloadOffset: number;
}

/** The header of the packet at `packet[0..188)`; null if the adaptation field is malformed. */
export function packetHeader(packet: Buffer): PacketHeader | null {
  const b1 = packet[1] as number;
  const control = ((packet[3] as number) >> 4) & 0x3;
  let payloadOffset = 4;
  let randomAccess = false;
  if (control & 0x2) {
    const length = packet[4] as number;
    if (length > 183) return null;
    randomAccess = length > 0 && ((packet[5] as number) & 0x40) !== 0;
    payloadOffset = 5 + length;
  }
  if (!(control & 0x1)) payloadOffset = TS_PACKET;
  return {
    pid: ((b1 & 0x1f) << 8) | (packet[2] as number),
    unitStart: (b1 & 0x40) !== 0,
    randomAccess,
    payloadOffset,
  };
}

/** The section that starts in this payload (after its pointer field), or null if it does not fit. */
export function sectionOf(payload: Buffer): Buffer | null {
  const start = 1 + (payload[0] ?? 0);
  if (start + 3 > payload.length) return null;
  const end = start + 3 + (payload.readUInt16BE(start + 1) & 0x0fff);
  return end > payload.length ? null : payload.subarray(start, end);
}

/** The PMT PID of the first program in a PAT section (program 0 is the network PID). */
export function pmtPidOf(pat: Buffer): number | null {
  // 8 bytes of header, then 4-byte entries, then a 4-byte CRC.
  for (let at = 8; at + 4 <= pat.length - 4; at += 4) {
    if (pat.readUInt16BE(at) !== 0) return pat.readUInt16BE(at + 2) & 0x1fff;
  }
  return null;
}

export interface ElementaryStream {
  readonly pid: number;
  readonly streamType: number;
}

/** The elementary streams of a PMT section. */
export function streamsOf(pmt: Buffer): ElementaryStream[] {
  const streams: ElementaryStream[] = [];
  const programInfoLength = pmt.length >= 12 ? pmt.readUInt16BE(10) & 0x0fff : 0;
  let at = 12 + programInfoLength;
  while (at + 5 <= pmt.length - 4) {
    const streamType = pmt[at] as number;
    const pid = pmt.readUInt16BE(at + 1) & 0x1fff;
    streams.push({ pid, streamType });
    at += 5 + (pmt.readUInt16BE(at + 3) & 0x0fff);
  }
  return streams;
}

/** Stream types (ISO/IEC 13818-1 table 2-34) of the codecs a channel can carry. */
const VIDEO_TYPES: Record<number, TsVideoCodec> = { 27: "h264", 36: "hevc" };
const AUDIO_TYPES: Record<number, AudioCodec> = { 3: "mp3", 4: "mp3", 15: "aac", 17: "aac" };
/** Other stream types that are video or audio, named for a refusal message. */
const OTHER_VIDEO = new Set([0x01, 0x02, 0x10, 0x42, 0xd1, 0xea]);
const OTHER_AUDIO = new Set([0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87]);

export type StreamKind =
  | { readonly kind: "video"; readonly codec: TsVideoCodec | null }
  | { readonly kind: "audio"; readonly codec: AudioCodec | null }
  | { readonly kind: "data" };

/** What a PMT stream type carries; codec null when it is video or audio we cannot name. */
export function kindOf(streamType: number): StreamKind {
  const video = VIDEO_TYPES[streamType];
  if (video !== undefined || OTHER_VIDEO.has(streamType)) return { kind: "video", codec: video ?? null };
  const audio = AUDIO_TYPES[streamType];
  if (audio !== undefined || OTHER_AUDIO.has(streamType)) return { kind: "audio", codec: audio ?? null };
  return { kind: "data" };
}

export interface PesStart {
  /** Presentation time in 90 kHz ticks (33 bits); null when the PES has none. */
  readonly pts: number | null;
  /** Where the elementary stream bytes begin in the payload. */
  readonly dataOffset: number;
}

/** The PES header at the start of a payload; null if it is not one. */
export function pesStart(payload: Buffer): PesStart | null {
  if (payload.length < 9 || payload[0] !== 0 || payload[1] !== 0 || payload[2] !== 1) return null;
  const dataOffset = 9 + (payload[8] as number);
  const hasPts = ((payload[7] as number) & 0x80) !== 0;
  if (!hasPts || payload.length < 14) return { pts: null, dataOffset };
  const p = payload;
  // 33 bits split 3 + 15 + 15 around marker bits; multiply, not shift, past 32 bits.
  const pts =
    (((p[9] as number) >> 1) & 0x07) * 2 ** 30 +
    ((p[10] as number) << 22) +
    (((p[11] as number) >> 1) << 15) +
    ((p[12] as number) << 7) +
    ((p[13] as number) >> 1);
  return { pts, dataOffset };
}
