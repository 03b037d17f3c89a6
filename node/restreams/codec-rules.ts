// Which codecs each destination kind can carry.
// RTMP/RTMPS means FLV: H.264 + AAC only (what platforms take, and this ffmpeg 5.1 cannot put HEVC
// in FLV); SRT carries MPEG-TS, so HEVC and MP3 too. Output profiles make H.264 + AAC of the rest.
import { type ChannelCodecs, codecName } from "../defs/codecs.js";
import type { DestinationKind } from "../defs/destination.js";

/** What MPEG-TS carries as ffmpeg 5.1 muxes and demuxes it. */
const TS_VIDEO = new Set(["h264", "hevc"]);
const TS_AUDIO = new Set(["aac", "mp3"]);

/** "HEVC + MP3", "H.264", "no media". */
function described(codecs: ChannelCodecs): string {
  const names = [codecs.video, codecs.audio].flatMap((codec) => (codec === null ? [] : [codecName(codec)]));
  return names.length === 0 ? "no media" : names.join(" + ");
}

/** Why this channel cannot go to this kind of destination, or null when it can. */
export function codecProblem(kind: DestinationKind, codecs: ChannelCodecs): string | null {
  if (kind === "srt") {
    const fits =
      (codecs.video === null || TS_VIDEO.has(codecs.video)) &&
      (codecs.audio === null || TS_AUDIO.has(codecs.audio));
    if (fits) return null;
    return `SRT destinations (MPEG-TS) need H.264 or HEVC with AAC or MP3; the channel sends ${described(codecs)}: use an output profile (H.264 + AAC)`;
  }
  const fits =
    (codecs.video === null || codecs.video === "h264") && (codecs.audio === null || codecs.audio === "aac");
  if (fits) return null;
  const srt = codecProblem("srt", codecs) === null ? "use an SRT destination, or " : "";
  return `${kind.toUpperCase()} destinations need H.264 + AAC; the channel sends ${described(codecs)}: ${srt}use an output profile (H.264 + AAC)`;
}
