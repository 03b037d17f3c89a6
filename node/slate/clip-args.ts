// ffmpeg's arguments for a slate clip: a still picture (the channel's, or a card with its name)
// looped for SLATE_CLIP_SECONDS, encoded to the live stream's signature with a keyframe every
// 2 s and no B-frames (the clip is looped by rebasing its timestamps, so it must start on a
// keyframe and decode on its own), with silent AAC from anullsrc. The output is an FLV file, or
// MPEG-TS for a channel ingested over SRT (its hub holds MPEG-TS units; ffmpeg puts no HEVC in FLV).
import type { SlateSignature } from "./signature.js";

/** Two GOPs: looped by the hold without a visible seam (the picture does not move). */
export const SLATE_CLIP_SECONDS = 4;
const GOP_SECONDS = 2;
const CARD_COLOUR = "0x1d2733";

export interface SlatePictureInput {
  /** A PNG or JPEG file; null: the card with `title`. */
  readonly picture: string | null;
  /** A text file with the channel's name (drawtext reads it: no escaping of user text). */
  readonly titleFile: string;
}

/** Where the clip goes: FLV for FLV hubs, MPEG-TS for SRT ingest (and HEVC, which FLV cannot carry here). */
export interface SlateClipOutput {
  readonly file: string;
  readonly muxer: "flv" | "mpegts";
}

export function slateClipArgs(
  signature: SlateSignature,
  input: SlatePictureInput,
  output: SlateClipOutput,
): string[] {
  const { width, height, fps } = signature;
  const gop = String(fps * GOP_SECONDS);
  const fit = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=${CARD_COLOUR}`;
  const card =
    `drawtext=textfile='${filterPath(input.titleFile)}':expansion=none:fontcolor=white:fontsize=${Math.round(height / 12)}` +
    ":x=(w-text_w)/2:y=(h-text_h)/2";
  const video =
    input.picture === null
      ? ["-f", "lavfi", "-i", `color=c=${CARD_COLOUR}:s=${width}x${height}:r=${fps}`]
      : ["-loop", "1", "-framerate", String(fps), "-i", input.picture];
  const audio = signature.audio
    ? [
        "-f",
        "lavfi",
        "-i",
        `anullsrc=r=${signature.audio.sampleRate}:cl=${signature.audio.channels === 1 ? "mono" : "stereo"}`,
      ]
    : [];
  const filter = `${input.picture === null ? card : fit},format=yuv420p,setsar=1`;
  return [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    "-y",
    ...video,
    ...audio,
    "-map",
    "0:v",
    ...(signature.audio ? ["-map", "1:a", "-c:a", "aac", "-b:a", "64k"] : []),
    "-vf",
    filter,
    "-r",
    String(fps),
    ...videoCodecArgs(signature, gop),
    "-t",
    String(SLATE_CLIP_SECONDS),
    "-f",
    output.muxer,
    output.file,
  ];
}

/** A path inside a quoted filter argument: only a quote would end it. */
function filterPath(path: string): string {
  return path.replaceAll("'", "'\\''");
}

function videoCodecArgs(signature: SlateSignature, gop: string): string[] {
  const level = signature.level ? ["-level:v", signature.level] : [];
  if (signature.video === "hevc") {
    // Closed GOPs: every keyframe an IDR, so a player may join the slate at any of them.
    const params = `keyint=${gop}:min-keyint=${gop}:scenecut=0:bframes=0:open-gop=0:log-level=error`;
    return ["-c:v", "libx265", "-preset", "veryfast", "-profile:v", "main", ...level, "-x265-params", params];
  }
  return [
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-tune",
    "stillimage",
    "-profile:v",
    signature.profile,
    ...level,
    "-bf",
    "0",
    "-g",
    gop,
    "-keyint_min",
    gop,
    "-sc_threshold",
    "0",
  ];
}
