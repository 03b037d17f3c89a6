// How the hub sees the units of one container. The hub, its GOP cache, readers and queues are
// generic over the unit type and ask this object everything they need to know about a unit, so
// FLV tags (RTMP ingest) and MPEG-TS units (SRT ingest) share one fan-out, one cache policy and
// one overflow policy.
import type { Container } from "../defs/container.js";

export interface UnitFormat<U> {
  readonly container: Container;
  /** The init slots, in the order a new reader gets their latest units (e.g. PAT before PMT). */
  readonly initSlots: readonly string[];
  /** The unit's size in container bytes: what queues, caps and bitrate count. */
  size(unit: U): number;
  /** Milliseconds of media time, 32 bits (wraps): the keyframe interval is measured on it. */
  timestamp(unit: U): number;
  /** A decoder can start on this unit: a reader goes live on it, a GOP begins with it. */
  isKeyframe(unit: U): boolean;
  /** The unit's audio bytes: what the audio bitrate counts (0 for a unit without audio). */
  audioSize(unit: U): number;
  /** A coded video frame: what fps counts. */
  isVideoFrame(unit: U): boolean;
  /** The init slot this unit fills (every reader gets the latest of each first), null for media. */
  initSlot(unit: U): string | null;
  /** `next` replaces `previous` in its slot with another coding configuration: the cached GOP no longer decodes after it. */
  reconfigures(previous: U, next: U): boolean;
}
