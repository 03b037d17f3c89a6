// Which codecs each destination kind can carry. RTMP/RTMPS means FLV: H.264 + AAC only (this
// ffmpeg 5.1 cannot put HEVC in FLV); SRT carries MPEG-TS, so HEVC too.
import type { ChannelCodecs } from "../defs/codecs.js";
import type { DestinationKind } from "../defs/destination.js";

/** Why this channel cannot go to this kind of destination, or null when it can. */
export function codecProblem(kind: DestinationKind, codecs: ChannelCodecs): string | null {
  if (kind === "srt") return null;
  if (codecs.video !== null && codecs.video !== "h264") {
    return `${kind.toUpperCase()} carries H.264 video only and this channel is live with ${codecs.video.toUpperCase()}: use an SRT destination, or publish H.264`;
  }
  if (codecs.audio !== null && codecs.audio !== "aac") {
    return `${kind.toUpperCase()} carries AAC audio only and this channel is live with ${codecs.audio}`;
  }
  return null;
}
