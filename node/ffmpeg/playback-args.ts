// The ffmpeg command line that makes MPEG-TS of a channel ingested over RTMP for one Remote Playback
// caller: the caller's FLV hub reader on stdin (from the current keyframe), the same media copied
// into MPEG-TS on stdout, which the actor hands to the SRT listener (./fanout.ts). Pure.
// `-copyts`: the caller sees the channel's own timestamps (as a caller of an SRT-ingested channel
// does), not a clock that starts at 0 for each caller.
// The channel's codecs set the probe (./args.ts): a short one for H.264 + AAC, whose sequence headers
// lead the reader's bytes; a longer one for a track that only shows with its first frame (MP3).
import type { ChannelCodecs } from "../defs/codecs.js";
import { globalArgs, inputArgs, muxerArgs } from "./args.js";

export function remuxArgs(progressFd: number, codecs?: ChannelCodecs): string[] {
  return [
    ...globalArgs(progressFd),
    ...inputArgs("flv", codecs),
    "-copyts",
    ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", ...muxerArgs("mpegts"), "pipe:1"],
  ];
}
