// What a channel knows of its live stream, from the sequence headers (AVC or HEVC decoder
// configuration record, AAC AudioSpecificConfig, MP3 frame headers) or, for SRT ingest, from the
// MPEG-TS stream. Every codec an RTMP publisher may send is named, so a restream that cannot carry
// it can say which (node/restreams/codec-rules.ts).

/** h264: FLV codec id 7; hevc, av1, vp9: Enhanced RTMP FourCCs; the rest: FLV's older codec ids. */
export const VIDEO_CODECS = ["h264", "hevc", "av1", "vp9", "h263", "screen", "vp6", "screen2"] as const;
export type VideoCodec = (typeof VIDEO_CODECS)[number];

/** FLV sound formats by id, and Enhanced RTMP's audio FourCCs (opus, flac, ac3, eac3). */
export const AUDIO_CODECS = [
  "aac",
  "mp3",
  "speex",
  "pcm",
  "adpcm",
  "nellymoser",
  "g711a",
  "g711u",
  "opus",
  "flac",
  "ac3",
  "eac3",
  "other",
] as const;
export type AudioCodec = (typeof AUDIO_CODECS)[number];

const NAMES: Record<VideoCodec | AudioCodec, string> = {
  h264: "H.264",
  hevc: "HEVC",
  av1: "AV1",
  vp9: "VP9",
  h263: "Sorenson H.263",
  screen: "Screen Video",
  vp6: "On2 VP6",
  screen2: "Screen Video 2",
  aac: "AAC",
  mp3: "MP3",
  speex: "Speex",
  pcm: "linear PCM",
  adpcm: "ADPCM",
  nellymoser: "Nellymoser",
  g711a: "G.711 A-law",
  g711u: "G.711 mu-law",
  opus: "Opus",
  flac: "FLAC",
  ac3: "AC-3",
  eac3: "E-AC-3",
  other: "device-specific audio",
};

/** The name a user reads in a message ("HEVC", "MP3"). */
export function codecName(codec: VideoCodec | AudioCodec): string {
  return NAMES[codec];
}

export interface ChannelCodecs {
  readonly video: VideoCodec | null;
  readonly audio: AudioCodec | null;
  readonly width: number | null;
  readonly height: number | null;
  /** e.g. "High", "Main", "Baseline" (H.264) or "Main" (HEVC). */
  readonly profile: string | null;
  /** e.g. "3.1". */
  readonly level: string | null;
  readonly sampleRate: number | null;
  readonly channels: number | null;
}

export interface IngestStats {
  /** Every byte of the stream, audio included. */
  readonly bitrateBps: number;
  /** The audio's share of bitrateBps (container bytes: a little over the codec's bitrate). */
  readonly audioBitrateBps: number;
  readonly fps: number;
  readonly keyframeIntervalSeconds: number;
}
