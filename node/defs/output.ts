// A restream's output profile: what it sends, `copy` (the channel as it comes) or re-encoded.
// Restreams of one channel with equal profiles share one encoder (node/actors/encoders.ts).
import type { ChannelCodecs } from "./codecs.js";

export interface VideoEncoding {
  readonly codec: "h264";
  readonly bitrateKbps: number;
  /** Scaled down (never up) to at most this many lines, the width following the aspect ratio. */
  readonly maxHeight?: number;
  readonly fps?: number;
  /** A keyframe every this many seconds; default 2 (what every platform preset asks for). */
  readonly keyframeSeconds?: number;
}

export interface AudioEncoding {
  readonly codec: "aac";
  readonly bitrateKbps: number;
}

export interface OutputProfile {
  readonly video: "copy" | VideoEncoding;
  readonly audio: "copy" | AudioEncoding;
}

export const COPY_OUTPUT: OutputProfile = { video: "copy", audio: "copy" };

export const DEFAULT_KEYFRAME_SECONDS = 2;

/** Nothing to encode: the restream reads the channel's hub itself. */
export function isCopy(output: OutputProfile | undefined | null): boolean {
  return !output || (output.video === "copy" && output.audio === "copy");
}

/** Equal profiles, equal keys (field order does not matter): the encoder pool's key. */
export function profileKey(output: OutputProfile): string {
  const part = (value: object | string) =>
    typeof value === "string"
      ? value
      : JSON.stringify(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
  return `${part(output.video)}|${part(output.audio)}`;
}

/** What the encoder makes of a channel's codecs. */
export function encodedCodecs(source: ChannelCodecs, output: OutputProfile): ChannelCodecs {
  const video = output.video === "copy" ? undefined : output.video;
  const audio = output.audio === "copy" ? undefined : output.audio;
  const height =
    video?.maxHeight && source.height !== null ? Math.min(source.height, video.maxHeight) : source.height;
  const width =
    source.width !== null && source.height !== null && height !== null && height !== source.height
      ? 2 * Math.round((source.width * height) / source.height / 2)
      : source.width;
  return {
    ...source,
    ...(video && { video: "h264" as const, profile: "High", level: null, width, height }),
    ...(audio && source.audio !== null && { audio: "aac" as const }),
  };
}
