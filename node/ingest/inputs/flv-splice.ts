// FlvSplice: one continuous FLV tag stream out of the inputs a channel switches between. Each input
// has its own clock (an encoder starts at 0, a reconnected one starts again), so at every cut the
// new input's timestamps are shifted so its keyframe is presented one video frame after the last
// frame presented (B-frames of the old input may be presented after its last tag's timestamp):
// neither decoding nor presentation times go back (nor repeat: a tag on the last one's millisecond
// is dropped), and they do not jump by more than a frame. Sequence headers (and onMetaData) go out
// only when they differ from the last ones out, so a decoder sees the configuration change exactly
// when it does, and then also in band, in front of the first keyframe (withParameterSets says
// why). Everything downstream (the hub, both engines) sees one stream from one publisher.
import type { FlvTag } from "../../defs/flv-tag.js";
import { FLV_UNITS } from "../../hub/flv-units.js";
import { withParameterSets } from "../../media/avc-parameter-sets.js";
import { AUDIO, compositionTime, VIDEO } from "../../media/flv.js";

/** A frame's length until one is measured (30 fps). */
const DEFAULT_FRAME_MS = 33;
/** Larger steps between video tags are gaps, not frame lengths. */
const MAX_FRAME_MS = 100;

/** Signed difference of two 32-bit millisecond timestamps (wraps like RTMP's). */
function after(a: number, b: number): number {
  return (a - b) | 0;
}

export class FlvSplice {
  /** Added to the input's timestamps (mod 2^32). */
  private offset = 0;
  private lastVideoOut: number | null = null;
  /** The latest presentation time (timestamp + composition offset) of the video out. */
  private lastPresentedOut: number | null = null;
  private lastAudioOut: number | null = null;
  private lastVideoIn: number | null = null;
  private frameMs = DEFAULT_FRAME_MS;
  /** The last init unit out per slot (metadata, video and audio sequence headers). */
  private readonly init = new Map<string, Buffer>();

  constructor(private readonly write: (tag: FlvTag) => void) {}

  /** Starts a new input: its init units, then media that begins on a keyframe. */
  cut(init: readonly FlvTag[], media: readonly FlvTag[]): void {
    const first = media[0];
    if (first === undefined) return;
    this.offset = this.offsetFor(first);
    this.lastVideoIn = null;
    const video = init.find((tag) => tag.type === VIDEO);
    const previous = this.init.get("video");
    const reconfigured = video !== undefined && previous !== undefined && !previous.equals(video.data);
    for (const tag of init) this.pass(tag);
    this.pass(reconfigured ? withParameterSets(first, video.data) : first);
    for (const tag of media.slice(1)) this.pass(tag);
  }

  /** The shift that puts `keyframe` one frame after the last frame out, in decoding and in presentation order. */
  private offsetFor(keyframe: FlvTag): number {
    const { lastVideoOut: decoded, lastPresentedOut: presented, frameMs } = this;
    if (decoded === null || presented === null) {
      const audio = this.lastAudioOut;
      return audio === null ? 0 : (audio + frameMs - keyframe.timestamp) >>> 0;
    }
    const byDecoding = decoded + frameMs;
    const byPresentation = presented + frameMs - compositionTime(keyframe);
    return (Math.max(byDecoding, decoded + after(byPresentation, decoded)) - keyframe.timestamp) >>> 0;
  }

  /** A tag of the input on air. */
  pass(tag: FlvTag): void {
    const slot = FLV_UNITS.initSlot(tag);
    if (slot !== null) {
      if (this.init.get(slot)?.equals(tag.data)) return;
      this.init.set(slot, tag.data);
      this.emit(tag, this.now());
      return;
    }
    const timestamp = (tag.timestamp + this.offset) >>> 0;
    if (tag.type === VIDEO) this.video(tag, timestamp);
    else if (tag.type === AUDIO) this.audio(tag, timestamp);
    else this.emit(tag, this.now());
  }

  private video(tag: FlvTag, timestamp: number): void {
    if (this.lastVideoOut !== null && after(timestamp, this.lastVideoOut) <= 0) return;
    if (this.lastVideoIn !== null) {
      const step = after(tag.timestamp, this.lastVideoIn);
      if (step > 0 && step <= MAX_FRAME_MS) this.frameMs = step;
    }
    this.lastVideoIn = tag.timestamp;
    this.lastVideoOut = timestamp;
    const presented = (timestamp + compositionTime(tag)) >>> 0;
    if (this.lastPresentedOut === null || after(presented, this.lastPresentedOut) > 0)
      this.lastPresentedOut = presented;
    this.emit(tag, timestamp);
  }

  /**
   * Audio from before the cut (interleaved with the new keyframe) would go back, or land on the last
   * audio tag's millisecond (a muxer reading the output refuses a decoding time that does not grow):
   * it is dropped.
   */
  private audio(tag: FlvTag, timestamp: number): void {
    if (this.lastAudioOut !== null && after(timestamp, this.lastAudioOut) <= 0) return;
    this.lastAudioOut = timestamp;
    this.emit(tag, timestamp);
  }

  /** Where init and script tags go on the output's clock: with the latest media tag. */
  private now(): number {
    const { lastVideoOut: video, lastAudioOut: audio } = this;
    if (video === null) return audio ?? 0;
    if (audio === null) return video;
    return after(video, audio) >= 0 ? video : audio;
  }

  private emit(tag: FlvTag, timestamp: number): void {
    this.write(timestamp === tag.timestamp ? tag : { ...tag, timestamp });
  }
}
