// What an RTMP audio or video message says about the channel's codecs. The ingest accepts every
// codec it can name: H.264 and AAC go everywhere; HEVC (Enhanced RTMP), MP3, Speex and the rest
// are live on the channel, and each restream that cannot carry them says so
// (node/restreams/codec-rules.ts) instead of waiting. Refused at publish: only what we cannot
// even name (an unknown FourCC, Enhanced RTMP v2 multitrack), with a reason the publisher shows.
import type { ChannelCodecs, VideoCodec } from "../../defs/codecs.js";
import { EX_PACKET, exVideoHeader } from "../../media/flv.js";
import { parseAudioSpecificConfig } from "./aac-config.js";
import { type AudioTrackInfo, legacyAudio } from "./audio-formats.js";
import { parseAvcConfig } from "./avc-config.js";
import { parseHevcConfig } from "./hevc-config.js";

/** What the channel shows of its video: the codec always, the rest from a configuration record. */
export interface VideoTrack {
  readonly codec: VideoCodec;
  readonly width: number | null;
  readonly height: number | null;
  readonly profile: string | null;
  readonly level: string | null;
}

export type AudioTrack = AudioTrackInfo;

/** "config": the track as a sequence header (or self-describing frame) says; "frame": the codec only. */
export type TrackInspection<T> =
  | { readonly kind: "config" | "frame"; readonly track: T }
  /** FLV frame type 5 (video info / command), an end of sequence: says nothing about the codec. */
  | { readonly kind: "command" }
  | { readonly kind: "unsupported"; readonly reason: string };

export type VideoInspection = TrackInspection<VideoTrack>;
export type AudioInspection = TrackInspection<AudioTrack>;

const AVC = 7;
const AAC = 10;
const COMMAND_FRAME = 5;

/** FLV's older video codec ids (Adobe FLV spec v10.1, E.4.3.1). */
const LEGACY_VIDEO: Record<number, VideoCodec> = { 2: "h263", 3: "screen", 4: "vp6", 5: "vp6", 6: "screen2" };
const FOUR_CCS: Record<string, VideoCodec> = { hvc1: "hevc", av01: "av1", vp09: "vp9" };

function codecOnly(codec: VideoCodec): VideoInspection {
  return { kind: "frame", track: { codec, width: null, height: null, profile: null, level: null } };
}

/** Enhanced RTMP (the IsExHeader bit): a FourCC names the codec. Throws CodecConfigError on a malformed hvcC. */
function inspectExVideo(data: Buffer): VideoInspection {
  const header = exVideoHeader(data);
  if (header === null) return { kind: "unsupported", reason: "Enhanced RTMP video tag cut short" };
  const { packetType, frameType, fourCc, bodyOffset } = header;
  if (packetType === EX_PACKET.multitrack || packetType === EX_PACKET.modEx) {
    return { kind: "unsupported", reason: "Enhanced RTMP v2 multitrack and ModEx video are not supported" };
  }
  const codec = FOUR_CCS[fourCc];
  if (codec === undefined) {
    const name = fourCc === "avc1" ? "H.264 as an Enhanced RTMP FourCC" : JSON.stringify(fourCc);
    return { kind: "unsupported", reason: `video ${name} is not supported: publish H.264 or HEVC` };
  }
  if (frameType === COMMAND_FRAME || packetType === EX_PACKET.sequenceEnd) return { kind: "command" };
  if (packetType === EX_PACKET.sequenceStart && codec === "hevc") {
    return { kind: "config", track: { codec, ...parseHevcConfig(data.subarray(bodyOffset)) } };
  }
  return codecOnly(codec);
}

/** Throws CodecConfigError on a malformed AVC or HEVC sequence header. */
export function inspectVideo(data: Buffer): VideoInspection {
  const first = data[0];
  if (first === undefined) return { kind: "command" };
  if (first & 0x80) return inspectExVideo(data);
  const codec = first & 0x0f;
  if (first >> 4 === COMMAND_FRAME) return { kind: "command" };
  if (codec !== AVC) {
    const legacy = LEGACY_VIDEO[codec];
    if (legacy === undefined)
      return { kind: "unsupported", reason: `video codec id ${codec} is not supported` };
    return codecOnly(legacy);
  }
  if (data[1] !== 0) return codecOnly("h264");
  // An empty sequence header (some encoders send one on stop) says nothing: ignore it.
  if (data.length <= 5) return { kind: "command" };
  return { kind: "config", track: { codec: "h264", ...parseAvcConfig(data.subarray(5)) } };
}

/** Throws CodecConfigError on a malformed AudioSpecificConfig. */
export function inspectAudio(data: Buffer): AudioInspection {
  const first = data[0];
  if (first === undefined) return { kind: "command" };
  if (first >> 4 === AAC) {
    if (data[1] === 0 && data.length > 2) {
      const { sampleRate, channels } = parseAudioSpecificConfig(data.subarray(2));
      return { kind: "config", track: { codec: "aac", sampleRate, channels } };
    }
    return { kind: "frame", track: { codec: "aac", sampleRate: null, channels: null } };
  }
  const track = legacyAudio(data);
  if (track === null)
    return { kind: "unsupported", reason: "this Enhanced RTMP audio codec is not supported" };
  // Each tag of these formats says its rate and channels: a "config" that changes nothing is no change.
  return { kind: track.sampleRate === null ? "frame" : "config", track };
}

const NO_VIDEO = { width: null, height: null, profile: null, level: null } as const;

/** The channel's codecs from the tracks seen so far (null: no such track). */
export function channelCodecs(video: VideoTrack | null, audio: AudioTrack | null): ChannelCodecs {
  return {
    video: video?.codec ?? null,
    audio: audio?.codec ?? null,
    ...(video
      ? { width: video.width, height: video.height, profile: video.profile, level: video.level }
      : NO_VIDEO),
    sampleRate: audio?.sampleRate ?? null,
    channels: audio?.channels ?? null,
  };
}
