// A slate clip's codec signature: what the live stream it stands in for is made of, so a decoder
// at the destination sees the same codec, profile, level, size, frame rate and audio layout
// (DESIGN.md "Continuity on event nights"). One clip is made per channel and signature.
import type { ChannelCodecs } from "../defs/codecs.js";

export interface SlateSignature {
  readonly video: "h264" | "hevc";
  /** x264/x265 profile names: "high", "main", "baseline". */
  readonly profile: string;
  /** e.g. "4.0"; null: the encoder picks one. */
  readonly level: string | null;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** null: the live stream has no audio, the slate neither. */
  readonly audio: { readonly sampleRate: number; readonly channels: number } | null;
}

/** Size and rate when the live stream does not say (it always does once its headers arrived). */
const FALLBACK = { width: 1280, height: 720, fps: 30 };

const PROFILES: Record<string, string> = {
  high: "high",
  main: "main",
  baseline: "baseline",
  "constrained baseline": "baseline",
};

/** The signature of a live stream with these codecs at `fps` (measured on its tags). */
export function signatureOf(codecs: ChannelCodecs, fps: number | null): SlateSignature | null {
  if (codecs.video !== "h264" && codecs.video !== "hevc") return null;
  const audio =
    codecs.audio === "aac" && codecs.sampleRate && codecs.channels
      ? { sampleRate: codecs.sampleRate, channels: Math.min(codecs.channels, 2) }
      : null;
  return {
    video: codecs.video,
    profile: PROFILES[(codecs.profile ?? "").toLowerCase()] ?? (codecs.video === "hevc" ? "main" : "high"),
    level: codecs.level && /^\d(\.\d)?$/.test(codecs.level) ? codecs.level : null,
    width: even(codecs.width ?? FALLBACK.width),
    height: even(codecs.height ?? FALLBACK.height),
    fps: Math.min(60, Math.max(1, Math.round(fps ?? FALLBACK.fps))),
    audio,
  };
}

/** A file-name-safe key of the signature, e.g. "h264-high-4.0-1280x720-30-a44100x2". */
export function signatureKey(signature: SlateSignature): string {
  const { video, profile, level, width, height, fps, audio } = signature;
  const sound = audio ? `a${audio.sampleRate}x${audio.channels}` : "silent";
  return [video, profile, level ?? "auto", `${width}x${height}`, `${fps}`, sound].join("-");
}

function even(value: number): number {
  return Math.max(2, value - (value % 2));
}
