// The output profiles the forms offer (copy, or a few H.264 sizes and bitrates, AAC at 128 or
// 160 kbps), how any profile reads, and the one a restream's preset warnings suggest. Restreams of
// a channel with equal profiles share one encoder on the server.
import type { Restream } from "../../api/types";

export type Output = Restream["output"];
export type VideoSetting = Output["video"];
export type AudioSetting = Output["audio"];
type VideoEncoding = Exclude<VideoSetting, "copy">;
type AudioEncoding = Exclude<AudioSetting, "copy">;

const h264 = (maxHeight: number, bitrateKbps: number): VideoEncoding => ({
  codec: "h264",
  bitrateKbps,
  maxHeight,
});
const aac = (bitrateKbps: number): AudioEncoding => ({ codec: "aac", bitrateKbps });

export const VIDEO_CHOICES: readonly VideoEncoding[] = [
  h264(1080, 6000),
  h264(720, 4500),
  h264(720, 3000),
  h264(480, 1500),
];
export const AUDIO_CHOICES: readonly AudioEncoding[] = [aac(128), aac(160)];

export const COPY: Output = { video: "copy", audio: "copy" };

export function describeVideo(video: VideoSetting): string {
  if (video === "copy") return "video as the channel sends it";
  const parts = [
    `H.264 ${video.maxHeight ? `${video.maxHeight}p, ` : ""}${video.bitrateKbps} kbps`,
    ...(video.fps ? [`${video.fps} fps`] : []),
    ...(video.keyframeSeconds ? [`a keyframe every ${video.keyframeSeconds} s`] : []),
  ];
  return parts.join(", ");
}

export function describeAudio(audio: AudioSetting): string {
  return audio === "copy" ? "audio as the channel sends it" : `AAC ${audio.bitrateKbps} kbps`;
}

export function describeOutput(output: Output): string {
  if (isCopy(output)) return "Copy: as the channel sends it";
  return `${describeVideo(output.video)} · ${describeAudio(output.audio)}`;
}

export function isCopy(output: Output): boolean {
  return output.video === "copy" && output.audio === "copy";
}

type Setting = VideoSetting | AudioSetting;
const settingKey = (setting: Setting) =>
  typeof setting === "string"
    ? setting
    : JSON.stringify(Object.entries(setting).sort(([a], [b]) => a.localeCompare(b)));

/** Equal settings, whatever the order of their fields. */
export function sameSetting(a: Setting, b: Setting): boolean {
  return settingKey(a) === settingKey(b);
}

export function sameOutput(a: Output, b: Output): boolean {
  return sameSetting(a.video, b.video) && sameSetting(a.audio, b.audio);
}

/** What every platform preset takes: H.264 720p at 3000 kbps (keyframe every 2 s), AAC 128 kbps. */
const FITS_EVERY_PRESET: Output = { video: h264(720, 3000), audio: aac(128) };

/**
 * The profile that clears a restream's preset warnings: AAC 128 kbps alone when only the audio
 * bitrate is low (the video stays as it is), else H.264 720p 3000 kbps with AAC 128 kbps, which
 * every preset takes; undefined without warnings or when the restream already sends it.
 */
export function suggestedOutput(restream: Pick<Restream, "output" | "warnings">): Output | undefined {
  const { output, warnings } = restream;
  if (warnings.length === 0) return undefined;
  const audioOnly = warnings.every((warning) => warning.code === "audio_bitrate");
  const suggestion = audioOnly ? { video: output.video, audio: aac(128) } : FITS_EVERY_PRESET;
  return sameOutput(suggestion, output) ? undefined : suggestion;
}
