// What an RTMP audio or video message says about the channel's codecs. The ingest accepts what
// restreaming to RTMP destinations can carry and this ffmpeg can read from FLV: H.264 video and
// AAC audio. Everything else is refused with a reason the publisher's software shows its user.
import type { ChannelCodecs } from "../../defs/codecs.js";
import { type AacInfo, parseAudioSpecificConfig } from "./aac-config.js";
import { type AvcInfo, parseAvcConfig } from "./avc-config.js";

export type { AacInfo } from "./aac-config.js";
export type { AvcInfo } from "./avc-config.js";

export type VideoInspection =
  | { readonly kind: "config"; readonly info: AvcInfo }
  | { readonly kind: "frame" }
  /** FLV frame type 5 (video info / command): no picture, says nothing about the codec. */
  | { readonly kind: "command" }
  | { readonly kind: "unsupported"; readonly reason: string };

export type AudioInspection =
  | { readonly kind: "config"; readonly info: AacInfo }
  | { readonly kind: "frame" }
  | { readonly kind: "unsupported"; readonly reason: string };

const AVC = 7;
const AAC = 10;

const HEVC_REASON =
  "HEVC over RTMP is not supported by this server's ffmpeg: publish H.264 over RTMP, or use SRT ingest for HEVC";

const VIDEO_CODECS: Record<number, string> = {
  2: "Sorenson H.263",
  3: "Screen Video",
  4: "On2 VP6",
  5: "On2 VP6 with alpha",
  6: "Screen Video 2",
  12: "HEVC",
  13: "AV1",
};

const AUDIO_FORMATS: Record<number, string> = {
  0: "linear PCM",
  1: "ADPCM",
  2: "MP3",
  3: "linear PCM",
  4: "Nellymoser",
  5: "Nellymoser",
  6: "Nellymoser",
  7: "G.711 A-law",
  8: "G.711 mu-law",
  9: "an enhanced-RTMP audio codec",
  11: "Speex",
  14: "MP3",
  15: "device-specific audio",
};

function unsupportedVideo(name: string): VideoInspection {
  if (name === "HEVC") return { kind: "unsupported", reason: HEVC_REASON };
  return { kind: "unsupported", reason: `${name} video over RTMP is not supported: publish H.264 video` };
}

/** Enhanced RTMP (the IsExHeader bit): a FourCC names the codec; ffmpeg 5.1 reads none of them. */
function inspectExVideo(data: Buffer): VideoInspection {
  if (data.length < 5) return unsupportedVideo("Enhanced-RTMP");
  const fourCc = data.toString("latin1", 1, 5);
  const names: Record<string, string> = {
    hvc1: "HEVC",
    av01: "AV1",
    vp09: "VP9",
    avc1: "Enhanced-RTMP (FourCC) H.264",
  };
  return unsupportedVideo(names[fourCc] ?? `Enhanced-RTMP (${JSON.stringify(fourCc)})`);
}

/** Throws CodecConfigError on a malformed AVC sequence header. */
export function inspectVideo(data: Buffer): VideoInspection {
  const first = data[0];
  if (first === undefined) return { kind: "command" };
  if (first & 0x80) return inspectExVideo(data);
  const codec = first & 0x0f;
  if (first >> 4 === 5) return { kind: "command" };
  if (codec !== AVC) return unsupportedVideo(VIDEO_CODECS[codec] ?? `Video codec id ${codec}`);
  if (data[1] !== 0) return { kind: "frame" };
  // An empty sequence header (some encoders send one on stop) says nothing: ignore it.
  if (data.length <= 5) return { kind: "command" };
  return { kind: "config", info: parseAvcConfig(data.subarray(5)) };
}

/** Throws CodecConfigError on a malformed AudioSpecificConfig. */
export function inspectAudio(data: Buffer): AudioInspection {
  const first = data[0];
  if (first === undefined) return { kind: "frame" };
  const format = first >> 4;
  if (format !== AAC) {
    const name = AUDIO_FORMATS[format] ?? `audio format ${format}`;
    return { kind: "unsupported", reason: `${name} audio over RTMP is not supported: publish AAC audio` };
  }
  if (data[1] === 0 && data.length > 2)
    return { kind: "config", info: parseAudioSpecificConfig(data.subarray(2)) };
  return { kind: "frame" };
}

/**
 * The channel's codecs from what the publisher has sent: a parsed config, "seen" (frames
 * without a sequence header yet) or null (no such track).
 */
export function channelCodecs(video: AvcInfo | "seen" | null, audio: AacInfo | "seen" | null): ChannelCodecs {
  const v = typeof video === "object" ? video : null;
  const a = typeof audio === "object" ? audio : null;
  return {
    video: video === null ? null : "h264",
    audio: audio === null ? null : "aac",
    width: v?.width ?? null,
    height: v?.height ?? null,
    profile: v?.profile ?? null,
    level: v?.level ?? null,
    sampleRate: a?.sampleRate ?? null,
    channels: a?.channels ?? null,
  };
}
