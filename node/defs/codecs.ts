// What a channel knows of its live stream, from the sequence headers (AVC decoder configuration
// record, AAC AudioSpecificConfig) or, for SRT ingest, from the MPEG-TS stream.

export type VideoCodec = "h264" | "hevc";
export type AudioCodec = "aac";

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
