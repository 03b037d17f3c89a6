// What a new reader needs to start at once: the init tags (latest onMetaData, AVC and AAC sequence
// headers) and the GOP cache (every tag since the last keyframe, audio included). Owned by the hub;
// readers only see snapshots of it through `startPoint()`.
import { AUDIO, type FlvTag, isKeyframe, isSequenceHeader } from "../media/flv.js";
import { flvSize, isMetadata } from "./tags.js";

/**
 * - no_keyframe: nothing usable cached (no keyframe yet, or a codec change made the GOP stale)
 * - caching: `gop` starts on a keyframe and holds every tag since
 * - over_cap: the GOP grew past `maxBytes`; nothing is cached until the next keyframe, so an
 *   encoder that never sends keyframes cannot grow memory
 */
export type GopCacheState = "no_keyframe" | "caching" | "over_cap";

export interface StartPoint {
  readonly init: readonly FlvTag[];
  /** Starts on a keyframe; null when no usable GOP is cached (a reader then waits for a keyframe). */
  readonly gop: readonly FlvTag[] | null;
  readonly gopBytes: number;
}

export const DEFAULT_GOP_CACHE_MAX_BYTES = 16 * 1024 * 1024;

export class GopCache {
  private metadata: FlvTag | null = null;
  private videoHeader: FlvTag | null = null;
  private audioHeader: FlvTag | null = null;
  private gop: FlvTag[] = [];
  private gopBytes = 0;
  private current: GopCacheState = "no_keyframe";

  constructor(
    private readonly maxBytes: number,
    /** Told once per GOP that outgrows the cap, so the hub can log it. */
    private readonly onOverCap: (bytes: number) => void = () => {},
  ) {}

  get state(): GopCacheState {
    return this.current;
  }

  add(tag: FlvTag): void {
    if (isMetadata(tag)) {
      this.metadata = tag;
    } else if (isSequenceHeader(tag)) {
      this.replaceHeader(tag);
    } else if (isKeyframe(tag)) {
      this.drop("caching");
      this.append(tag);
    } else if (this.current === "caching") {
      this.append(tag);
    }
  }

  startPoint(): StartPoint {
    const init = [this.metadata, this.videoHeader, this.audioHeader].filter((t): t is FlvTag => t !== null);
    const gop = this.current === "caching" ? this.gop : null;
    return { init, gop, gopBytes: gop === null ? 0 : this.gopBytes };
  }

  /**
   * A changed sequence header means the cached frames were coded with the old configuration: a
   * reader must not get them after the new header, so the GOP is dropped until the next keyframe.
   * Encoders that repeat an identical header do not lose the cache.
   */
  private replaceHeader(tag: FlvTag): void {
    const previous = tag.type === AUDIO ? this.audioHeader : this.videoHeader;
    if (tag.type === AUDIO) this.audioHeader = tag;
    else this.videoHeader = tag;
    if (previous !== null && !previous.data.equals(tag.data)) this.drop("no_keyframe");
  }

  private append(tag: FlvTag): void {
    const bytes = this.gopBytes + flvSize(tag);
    if (bytes > this.maxBytes) {
      this.drop("over_cap");
      this.onOverCap(bytes);
      return;
    }
    this.gop.push(tag);
    this.gopBytes = bytes;
  }

  private drop(next: GopCacheState): void {
    this.gop = [];
    this.gopBytes = 0;
    this.current = next;
  }
}
