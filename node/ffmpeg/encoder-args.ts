// The ffmpeg command line of a shared encoder: the channel's bytes on stdin (FLV or MPEG-TS, as its
// hub holds them), re-encoded to an output profile, on stdout in `outputFormat`: FLV for H.264 +
// AAC (the pushes it feeds can be native RTMP ones), MPEG-TS when the profile copies a track FLV
// cannot carry (HEVC video). Pure; only numbers from a validated profile go in.
import type { ChannelCodecs } from "../defs/codecs.js";
import type { Container } from "../defs/container.js";
import { DEFAULT_KEYFRAME_SECONDS, type OutputProfile } from "../defs/output.js";
import { globalArgs, inputArgs } from "./args.js";

export function encoderArgs(options: {
  readonly inputFormat: Container;
  /** The channel's codecs: how much of the input ffmpeg probes (inputArgs). */
  readonly codecs?: ChannelCodecs;
  readonly output: OutputProfile;
  /** restreams/codec-rules.ts carrierContainer of what the encoder makes. */
  readonly outputFormat: Container;
  readonly progressFd: number;
}): string[] {
  const { video, audio } = options.output;
  return [
    ...globalArgs(options.progressFd),
    ...inputArgs(options.inputFormat, options.codecs),
    ...["-map", "0:v:0?", "-map", "0:a:0?"],
    ...(video === "copy" ? ["-c:v", "copy"] : videoArgs(video)),
    ...(audio === "copy" ? ["-c:a", "copy"] : ["-c:a", "aac", "-b:a", `${audio.bitrateKbps}k`]),
    ...(options.outputFormat === "flv"
      ? ["-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1"]
      : ["-f", "mpegts", "pipe:1"]),
  ];
}

function videoArgs(video: Exclude<OutputProfile["video"], "copy">): string[] {
  const filters = [
    // Down only: a smaller source keeps its size; -2 keeps the width even, as yuv420p needs.
    ...(video.maxHeight ? [`scale=-2:'min(${video.maxHeight},ih)'`] : []),
    ...(video.fps ? [`fps=${video.fps}`] : []),
  ];
  const keyframeSeconds = video.keyframeSeconds ?? DEFAULT_KEYFRAME_SECONDS;
  const kbps = video.bitrateKbps;
  return [
    ...(filters.length > 0 ? ["-vf", filters.join(",")] : []),
    ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p"],
    // CBR-like, as platforms ask: a cap at the target, a one-second buffer.
    ...["-b:v", `${kbps}k`, "-maxrate", `${kbps}k`, "-bufsize", `${kbps}k`],
    // Keyframes on the clock, whatever the frame rate: what platforms' keyframe rules measure.
    ...["-force_key_frames", `expr:gte(t,n_forced*${keyframeSeconds})`, "-sc_threshold", "0"],
  ];
}
