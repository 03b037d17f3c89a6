// Follows a publisher's codecs from its media and metadata, so the session can tell the sink
// once they are known (before the first frame reaches it) and refuse what we cannot name.
//
// "Known" means: every track the publisher has has shown its sequence header or at least its
// first frame, and we know which tracks it has. onMetaData says that (videocodecid /
// audiocodecid, as ffmpeg, OBS and GStreamer write it); without it we wait for both kinds
// until the caller gives up (a media-time budget) and call the missing one absent.
import type { ChannelCodecs } from "../../defs/codecs.js";
import type { FlvTag } from "../../defs/flv-tag.js";
import { AUDIO, VIDEO } from "../../media/flv.js";
import type { AmfValue } from "../../rtmp/amf0.js";
import { AmfEcmaArray } from "../../rtmp/amf0.js";
import {
  type AudioTrack,
  channelCodecs,
  inspectAudio,
  inspectVideo,
  type TrackInspection,
  type VideoTrack,
} from "./codecs.js";

export type TrackerVerdict =
  | { readonly kind: "ok"; readonly changed: boolean }
  | { readonly kind: "unsupported"; readonly reason: string };

export class CodecTracker {
  private video: VideoTrack | null = null;
  private audio: AudioTrack | null = null;
  /** From onMetaData: whether each track exists; null until metadata says. */
  private expectVideo: boolean | null = null;
  private expectAudio: boolean | null = null;

  /** onMetaData's object (or ECMA array): which tracks to wait for. */
  metadata(values: readonly AmfValue[]): void {
    const raw = values.find(
      (v) => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date),
    );
    const props =
      raw instanceof AmfEcmaArray ? raw.properties : (raw as Record<string, AmfValue> | undefined);
    if (!props) return;
    const hasVideo = "videocodecid" in props;
    const hasAudio = "audiocodecid" in props;
    if (!hasVideo && !hasAudio) return; // says nothing about tracks
    this.expectVideo = hasVideo;
    this.expectAudio = hasAudio;
  }

  /** One audio or video tag. Throws CodecConfigError on a malformed sequence header. */
  observe(tag: FlvTag): TrackerVerdict {
    if (tag.type === VIDEO) {
      const step = nextTrack(this.video, inspectVideo(tag.data));
      if (step.kind === "replace") this.video = step.track;
      return verdictOf(step);
    }
    if (tag.type === AUDIO) {
      const step = nextTrack(this.audio, inspectAudio(tag.data));
      if (step.kind === "replace") this.audio = step.track;
      return verdictOf(step);
    }
    return { kind: "ok", changed: false };
  }

  /** Every track the publisher has is known (see the header). */
  get complete(): boolean {
    const videoDone = this.video !== null || this.expectVideo === false;
    const audioDone = this.audio !== null || this.expectAudio === false;
    return videoDone && audioDone;
  }

  /** Whether any media at all has been seen. */
  get anyMedia(): boolean {
    return this.video !== null || this.audio !== null;
  }

  codecs(): ChannelCodecs {
    return channelCodecs(this.video, this.audio);
  }
}

type Step<T> =
  | { readonly kind: "unsupported"; readonly reason: string }
  | { readonly kind: "keep" }
  | { readonly kind: "replace"; readonly track: T };

/**
 * What a tag makes of a track: a frame of the codec already known adds nothing; a configuration
 * (or a frame of another codec) replaces the track when it differs.
 */
function nextTrack<T extends { readonly codec: string }>(
  current: T | null,
  seen: TrackInspection<T>,
): Step<T> {
  if (seen.kind === "unsupported") return seen;
  if (seen.kind === "command") return { kind: "keep" };
  if (seen.kind === "frame" && current?.codec === seen.track.codec) return { kind: "keep" };
  if (JSON.stringify(current) === JSON.stringify(seen.track)) return { kind: "keep" };
  return { kind: "replace", track: seen.track };
}

function verdictOf<T>(step: Step<T>): TrackerVerdict {
  return step.kind === "unsupported" ? step : { kind: "ok", changed: step.kind === "replace" };
}
