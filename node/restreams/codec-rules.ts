// Which codecs each destination kind can carry.
// RTMP/RTMPS means FLV: H.264 + AAC only (what platforms take, and this ffmpeg 5.1 cannot put HEVC
// in FLV); SRT carries MPEG-TS, so HEVC and MP3 too. Output profiles make H.264 + AAC of the rest.
import { type AudioCodec, type ChannelCodecs, codecName, type VideoCodec } from "../defs/codecs.js";
import type { Container } from "../defs/container.js";
import type { DestinationKind } from "../defs/destination.js";
import { isCopy, type OutputProfile } from "../defs/output.js";

/** What MPEG-TS carries as ffmpeg 5.1 muxes and demuxes it. */
const TS_VIDEO = new Set(["h264", "hevc"]);
const TS_AUDIO = new Set(["aac", "mp3"]);

/** "HEVC + MP3", "H.264", "no media". */
function described(codecs: ChannelCodecs): string {
  const names = [codecs.video, codecs.audio].flatMap((codec) => (codec === null ? [] : [codecName(codec)]));
  return names.length === 0 ? "no media" : names.join(" + ");
}

/**
 * Why this channel cannot go to this kind of destination, or null when it can. `codecs` is what the
 * restream reads: with an output profile, what its encoder makes (defs/output.ts encodedCodecs).
 */
export function codecProblem(
  kind: DestinationKind,
  codecs: ChannelCodecs,
  output?: OutputProfile | null,
): string | null {
  if (kind !== "srt" && output && !isCopy(output)) return copiedProblem(kind, codecs, output);
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

/** An output profile that copies a track RTMP cannot carry: which track, and how to fix it. */
function copiedProblem(kind: DestinationKind, codecs: ChannelCodecs, output: OutputProfile): string | null {
  const srt = codecProblem("srt", codecs) === null ? ", or use an SRT destination" : "";
  const refusal = (needs: string, copied: VideoCodec | AudioCodec) =>
    `${kind.toUpperCase()} needs ${needs}: the output profile copies the channel's ${codecName(copied)}; choose an ${needs} encoding${srt}`;
  const { video, audio } = codecs;
  if (output.video === "copy" && video !== null && video !== "h264") return refusal("H.264 video", video);
  if (output.audio === "copy" && audio !== null && audio !== "aac") return refusal("AAC audio", audio);
  return null;
}

/**
 * What carries these codecs from one process to another (a chain link, a shared encoder's output):
 * FLV when they fit it (H.264 and AAC, as RTMP carries): the reading hub is then FLV, which Remote
 * Playback primes and native RTMP pushes take, and FLV over SRT starts ~1 s sooner than MPEG-TS (no
 * probing; docs/decisions.md). Anything else (HEVC, MP3, ...) goes as MPEG-TS: ffmpeg 5.1 cannot
 * put HEVC in FLV, and an FLV track with no sequence header would need the deep probe
 * (ffmpeg/args.ts) that a chain link's listener does not do.
 */
export function carrierContainer(codecs: ChannelCodecs): Container {
  return codecProblem("rtmp", codecs) === null ? "flv" : "mpegts";
}
