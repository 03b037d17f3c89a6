// A channel's codecs from an SRT caller's stream: the PMT's stream types say which codecs (the
// identity the codec rules go by), ffmpeg's stream lines add size, profile and audio format.
import type { ChannelCodecs } from "../../defs/codecs.js";
import { type ElementaryStream, kindOf } from "../../media/mpegts.js";
import type { StreamInfo } from "./stream-info.js";

/** The codecs, or why the stream cannot be carried (a message for the log: no secrets in it). */
export function srtCodecs(streams: readonly ElementaryStream[], info: StreamInfo): ChannelCodecs | string {
  const kinds = streams.map((s) => ({ ...s, ...kindOf(s.streamType) }));
  const video = kinds.find((k) => k.kind === "video");
  const audio = kinds.find((k) => k.kind === "audio");
  if (video?.kind === "video" && video.codec === null) {
    return `video stream type 0x${video.streamType.toString(16)} is not supported: send H.264 or HEVC`;
  }
  if (audio?.kind === "audio" && audio.codec === null) {
    return `audio stream type 0x${audio.streamType.toString(16)} is not supported: send AAC or MP3`;
  }
  if (!video && !audio) return "the stream has neither video nor audio";
  const v = video ? info.video : null;
  const a = audio ? info.audio : null;
  return {
    video: video?.kind === "video" ? video.codec : null,
    audio: audio?.kind === "audio" ? audio.codec : null,
    width: v?.width ?? null,
    height: v?.height ?? null,
    profile: v?.profile ?? null,
    // ffmpeg does not log the level; the SPS has it, but no consumer needs it for SRT.
    level: null,
    sampleRate: a?.sampleRate ?? null,
    channels: a?.channels ?? null,
  };
}
