// A restream's warnings: where the stream it sends breaks its destination's preset (presets.ts).
// Pure: computed on every read from the channel's live codecs and stats, so a warning appears and
// goes away as the stream changes, with nothing to store or expire.
import type { ChannelCodecs, IngestStats } from "../defs/codecs.js";
import { DEFAULT_KEYFRAME_SECONDS, type OutputProfile } from "../defs/output.js";
import type { RestreamWarning } from "../defs/warnings.js";
import { type Preset, presetById } from "./presets.js";

/** What a restream sends, as far as a preset cares; null where it is not known (yet). */
export interface OutgoingStream {
  readonly videoCodec: string | null;
  readonly audioCodec: string | null;
  readonly videoBitrateKbps: number | null;
  readonly audioBitrateKbps: number | null;
  readonly keyframeSeconds: number | null;
}

/**
 * Measured figures wobble: a 2.0 s GOP can read 2.04 s, a CBR encoder runs a few percent over its
 * target. A warning needs the figure past the limit by more than this share.
 */
const TOLERANCE = 0.1;

/** The channel's stream as a `copy` restream sends it. Stats read 0 until measured: unknown. */
export function streamOfChannel(codecs: ChannelCodecs, stats: IngestStats): OutgoingStream {
  const known = (value: number) => (value > 0 ? value : null);
  return {
    videoCodec: codecs.video,
    audioCodec: codecs.audio,
    videoBitrateKbps: known((stats.bitrateBps - stats.audioBitrateBps) / 1000),
    audioBitrateKbps: codecs.audio === null ? null : known(stats.audioBitrateBps / 1000),
    keyframeSeconds: known(stats.keyframeIntervalSeconds),
  };
}

const round = (value: number) => Math.round(value * 10) / 10;

export function presetWarnings(preset: Preset, stream: OutgoingStream): RestreamWarning[] {
  const warnings: RestreamWarning[] = [];
  const over = (value: number | null, limit: number) => value !== null && value > limit * (1 + TOLERANCE);
  if (over(stream.keyframeSeconds, preset.keyframeSeconds)) {
    warnings.push({
      code: "keyframe_interval",
      message: `keyframe interval is ${round(stream.keyframeSeconds ?? 0)} s; ${preset.name} wants at most ${preset.keyframeSeconds} s (set the encoder's keyframe interval, or an output profile with keyframeSeconds)`,
    });
  }
  if (over(stream.videoBitrateKbps, preset.maxVideoBitrateKbps)) {
    warnings.push({
      code: "bitrate",
      message: `video bitrate is ${Math.round(stream.videoBitrateKbps ?? 0)} kbps; ${preset.name} takes at most ${preset.maxVideoBitrateKbps} kbps (an output profile can lower it)`,
    });
  }
  if (stream.videoCodec !== null && !(preset.videoCodecs as readonly string[]).includes(stream.videoCodec)) {
    warnings.push({
      code: "codec",
      message: `video is ${stream.videoCodec.toUpperCase()}; ${preset.name} takes ${preset.videoCodecs.join(", ").toUpperCase()} (an output profile with codec h264 converts it)`,
    });
  }
  if (stream.audioCodec !== null && stream.audioCodec !== preset.audio.codec) {
    warnings.push({
      code: "codec",
      message: `audio is ${stream.audioCodec.toUpperCase()}; ${preset.name} takes ${preset.audio.codec.toUpperCase()} (an output profile with codec aac converts it)`,
    });
  }
  const audioFloor = preset.audio.minBitrateKbps * (1 - TOLERANCE);
  if (stream.audioBitrateKbps !== null && stream.audioBitrateKbps < audioFloor) {
    warnings.push({
      code: "audio_bitrate",
      message: `audio bitrate is ${Math.round(stream.audioBitrateKbps)} kbps; ${preset.name} needs at least ${preset.audio.minBitrateKbps} kbps or may drop the audio`,
    });
  }
  return warnings;
}

/** What the channel sends now; absent while it is offline (no warnings then). */
export interface LiveStream {
  readonly codecs: ChannelCodecs;
  readonly stats: IngestStats;
}

/** What a restream with this output profile sends: the encoder's settings replace what they set. */
export function streamWithOutput(channel: LiveStream, output: OutputProfile | undefined): OutgoingStream {
  const stream = streamOfChannel(channel.codecs, channel.stats);
  const video = output && output.video !== "copy" ? output.video : undefined;
  const audio = output && output.audio !== "copy" ? output.audio : undefined;
  return {
    ...stream,
    ...(video && {
      videoCodec: video.codec,
      videoBitrateKbps: video.bitrateKbps,
      keyframeSeconds: video.keyframeSeconds ?? DEFAULT_KEYFRAME_SECONDS,
    }),
    ...(audio &&
      stream.audioCodec !== null && { audioCodec: audio.codec, audioBitrateKbps: audio.bitrateKbps }),
  };
}

/** A restream's warnings: none without a preset on its destination or while its channel is offline. */
export function restreamWarnings(
  destination: { readonly preset?: string | null } | undefined,
  live: LiveStream | undefined,
  output?: OutputProfile,
): RestreamWarning[] {
  const preset = presetById(destination?.preset);
  if (!preset || !live) return [];
  return presetWarnings(preset, streamWithOutput(live, output));
}
