// Follows a publisher's codecs from its media and metadata, so the session can tell the sink
// once they are known (before the first frame reaches it) and refuse what we cannot carry.
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
import { type AacInfo, type AvcInfo, channelCodecs, inspectAudio, inspectVideo } from "./codecs.js";

export type TrackerVerdict =
  | { readonly kind: "ok"; readonly changed: boolean }
  | { readonly kind: "unsupported"; readonly reason: string };

type Track<T> = T | "seen" | null;

export class CodecTracker {
  private video: Track<AvcInfo> = null;
  private audio: Track<AacInfo> = null;
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
      const seen = inspectVideo(tag.data);
      if (seen.kind === "unsupported") return seen;
      if (seen.kind === "command") return { kind: "ok", changed: false };
      return this.update("video", seen.kind === "config" ? seen.info : "seen");
    }
    if (tag.type === AUDIO) {
      const seen = inspectAudio(tag.data);
      if (seen.kind === "unsupported") return seen;
      return this.update("audio", seen.kind === "config" ? seen.info : "seen");
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

  private update(kind: "video" | "audio", next: AvcInfo | AacInfo | "seen"): TrackerVerdict {
    const current = kind === "video" ? this.video : this.audio;
    // A frame after the config adds nothing; a config replaces "seen" or an older config.
    if (next === "seen" && current !== null) return { kind: "ok", changed: false };
    const changed = JSON.stringify(current) !== JSON.stringify(next);
    if (kind === "video") this.video = next as Track<AvcInfo>;
    else this.audio = next as Track<AacInfo>;
    return { kind: "ok", changed };
  }
}
