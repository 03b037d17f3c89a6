// FLV tags as MPEG-TS, for the ffmpeg processes that read a channel whose video came over Enhanced
// RTMP: ffmpeg 5.1's FLV demuxer does not read the FourCC video tags (docs/decisions.md), its
// MPEG-TS demuxer reads HEVC. One converter per reader (the continuity counters are the reader's).
//
// Video: an HEVC SequenceStart (hvcC) gives the parameter sets and the NAL length size; each coded
// frame becomes Annex B (start codes), with an access unit delimiter, and the VPS/SPS/PPS in front
// of every keyframe so a reader can start on it. Timestamps: DTS = the tag's (ms), PTS = DTS + the
// composition time offset, 90 kHz, 1.4 s ahead of the PCR (ffmpeg's own mux delay).
// Audio: AAC raw frames with an ADTS header built from the AudioSpecificConfig; MP3 frames as they
// are. Any other track is left out (the PMT does not list it). Malformed tags are dropped: the
// ingest validated the configuration records already, this is the second line.
import type { AudioCodec } from "../defs/codecs.js";
import type { FlvTag } from "../defs/flv-tag.js";
import { AUDIO, compositionTime, EX_PACKET, exVideoHeader, isKeyframe, VIDEO } from "./flv.js";
import { hevcParameterSets } from "./hevc-record.js";
import type { TsVideoCodec } from "./mpegts.js";
import { patSection, pesPacket, pmtSection, TsPacketizer, type TsStream } from "./ts-mux.js";

const PMT_PID = 0x1000;
const VIDEO_PID = 0x100;
const AUDIO_PID = 0x101;
const STREAM_TYPES = { hevc: 0x24, h264: 0x1b, aac: 0x0f, mp3: 0x03 } as const;
/** 1.4 s in 90 kHz ticks: PTS/DTS run this far ahead of the PCR. */
const MUX_DELAY = 126_000;
const START_CODE = Buffer.from([0, 0, 0, 1]);
/** HEVC access unit delimiter (type 35), pic_type 2: any slice type. */
const HEVC_AUD = Buffer.from([0, 0, 0, 1, 0x46, 0x01, 0x50]);
const AUD = 35;
const AAC = 10;
const MP3_FORMATS = new Set([2, 14]);
const SAMPLING_INDEX_EXPLICIT = 15;

/** Enhanced RTMP video (FourCC): ffmpeg 5.1's FLV demuxer does not read it (docs/decisions.md). */
const EX_VIDEO = new Set(["hevc", "av1", "vp9"]);

/** The channel's FLV tags are what ffmpeg 5.1 reads: no Enhanced RTMP video. Else its ffmpeg
 * readers get MPEG-TS from this converter. */
export function ffmpegReadsFlv(codecs: { readonly video: string | null }): boolean {
  return codecs.video === null || !EX_VIDEO.has(codecs.video);
}

export interface TsTracks {
  readonly video: TsVideoCodec | null;
  readonly audio: Extract<AudioCodec, "aac" | "mp3"> | null;
}

/** The tracks an FLV channel with these codecs becomes (others are left out). */
export function tsTracksOf(codecs: {
  readonly video: string | null;
  readonly audio: string | null;
}): TsTracks {
  return {
    video: codecs.video === "hevc" ? "hevc" : null,
    audio: codecs.audio === "aac" || codecs.audio === "mp3" ? codecs.audio : null,
  };
}

export class FlvToTs {
  private readonly ts = new TsPacketizer();
  private readonly pat: Buffer;
  private readonly pmt: Buffer;
  private tablesSent = false;
  private parameterSets: Buffer | null = null;
  private lengthSize = 4;
  /** The first two bytes of an ADTS header past the sync word, from the AudioSpecificConfig. */
  private adts: { profile: number; samplingIndex: number; channels: number } | null = null;

  constructor(private readonly tracks: TsTracks) {
    const streams: TsStream[] = [
      ...(tracks.video ? [{ pid: VIDEO_PID, streamType: STREAM_TYPES[tracks.video] }] : []),
      ...(tracks.audio ? [{ pid: AUDIO_PID, streamType: STREAM_TYPES[tracks.audio] }] : []),
    ];
    const pcrPid = tracks.video ? VIDEO_PID : AUDIO_PID;
    this.pat = patSection(PMT_PID);
    this.pmt = pmtSection(pcrPid, streams);
  }

  /** The TS packets of one tag (PAT and PMT first, and again before each keyframe); null for none. */
  push(tag: FlvTag): Buffer | null {
    if (tag.type === VIDEO && this.tracks.video) return this.video(tag);
    if (tag.type === AUDIO && this.tracks.audio) return this.audio(tag);
    return null;
  }

  private withTables(packets: Buffer | null, always: boolean): Buffer | null {
    if (packets === null) return null;
    if (this.tablesSent && !always) return packets;
    this.tablesSent = true;
    return Buffer.concat([this.ts.section(0, this.pat), this.ts.section(PMT_PID, this.pmt), packets]);
  }

  private video(tag: FlvTag): Buffer | null {
    const header = exVideoHeader(tag.data);
    if (header === null || header.fourCc !== "hvc1") return null;
    const body = tag.data.subarray(header.bodyOffset);
    if (header.packetType === EX_PACKET.sequenceStart) {
      this.configure(body);
      return null;
    }
    const coded = header.packetType === EX_PACKET.codedFrames || header.packetType === EX_PACKET.codedFramesX;
    if (!coded || this.parameterSets === null) return null;
    const units = this.annexB(body);
    if (units === null) return null;
    const keyframe = isKeyframe(tag);
    const dts = tag.timestamp * 90 + MUX_DELAY;
    const pts = dts + compositionTime(tag) * 90;
    // An AUD first (unless the frame has its own), as MPEG-TS wants for HEVC (ISO/IEC 13818-1 2.17.5).
    const first = units[1];
    const ownAud = first !== undefined && (((first[0] as number) >> 1) & 0x3f) === AUD;
    const aud = ownAud ? units.slice(0, 2) : [HEVC_AUD];
    const rest = ownAud ? units.slice(2) : units;
    const data = Buffer.concat([...aud, ...(keyframe ? [this.parameterSets] : []), ...rest]);
    const pes = pesPacket(0xe0, pts, dts, data, false);
    return this.withTables(
      this.ts.pes(VIDEO_PID, pes, { pcr: dts - MUX_DELAY, randomAccess: keyframe }),
      keyframe,
    );
  }

  private configure(record: Buffer): void {
    // A record the ingest accepted parses here too; a damaged one leaves the last good one.
    const sets = hevcParameterSets(record);
    if (sets === null) return;
    this.lengthSize = sets.lengthSize;
    this.parameterSets = Buffer.concat(sets.units.flatMap((unit) => [START_CODE, unit]));
  }

  /** Length-prefixed NAL units as Annex B; null if a length runs past the frame. */
  private annexB(body: Buffer): Buffer[] | null {
    const parts: Buffer[] = [];
    let at = 0;
    while (at + this.lengthSize <= body.length) {
      const size = body.readUIntBE(at, this.lengthSize);
      at += this.lengthSize;
      if (at + size > body.length) return null;
      parts.push(START_CODE, body.subarray(at, at + size));
      at += size;
    }
    return parts;
  }

  private audio(tag: FlvTag): Buffer | null {
    const first = tag.data[0];
    if (first === undefined) return null;
    const format = first >> 4;
    let frame: Buffer | null = null;
    if (format === AAC && this.tracks.audio === "aac") frame = this.aacFrame(tag.data);
    else if (MP3_FORMATS.has(format) && this.tracks.audio === "mp3") frame = tag.data.subarray(1);
    if (frame === null || frame.length === 0) return null;
    const pts = tag.timestamp * 90 + MUX_DELAY;
    const pes = pesPacket(0xc0, pts, pts, frame, true);
    const pcr = this.tracks.video ? undefined : pts - MUX_DELAY;
    return this.withTables(
      this.ts.pes(AUDIO_PID, pes, pcr === undefined ? {} : { pcr, randomAccess: true }),
      false,
    );
  }

  /** An AAC raw frame with its ADTS header; the sequence header sets the header up and yields nothing. */
  private aacFrame(data: Buffer): Buffer | null {
    if (data[1] === 0) {
      if (data.length < 4) return null;
      const objectType = (data[2] as number) >> 3;
      const samplingIndex = (((data[2] as number) & 0x07) << 1) | ((data[3] as number) >> 7);
      const channels = ((data[3] as number) >> 3) & 0x0f;
      // ADTS profiles are AAC Main, LC, SSR, LTP; HE-AAC (SBR/PS) is sent as LC at the base rate.
      const profile = objectType >= 1 && objectType <= 4 ? objectType - 1 : 1;
      this.adts = samplingIndex === SAMPLING_INDEX_EXPLICIT ? null : { profile, samplingIndex, channels };
      return null;
    }
    if (this.adts === null) return null;
    const raw = data.subarray(2);
    const length = raw.length + 7;
    if (length > 0x1fff) return null;
    const { profile, samplingIndex, channels } = this.adts;
    const header = Buffer.from([
      0xff,
      0xf1, // MPEG-4, layer 0, no CRC
      (profile << 6) | (samplingIndex << 2) | (channels >> 2),
      ((channels & 0x03) << 6) | (length >> 11),
      (length >> 3) & 0xff,
      ((length & 0x07) << 5) | 0x1f,
      0xfc,
    ]);
    return Buffer.concat([header, raw]);
  }
}
