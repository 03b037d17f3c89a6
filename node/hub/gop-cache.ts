// What a new reader needs to start at once: the init units (FLV: latest onMetaData, AVC and AAC
// sequence headers; MPEG-TS: latest PAT and PMT) and the GOP cache (every unit since the last
// keyframe, audio included). Owned by the hub; readers only see snapshots of it through `startPoint()`.
import type { UnitFormat } from "./unit-format.js";
import { MAX_UNITS } from "./unit-queue.js";

/**
 * - no_keyframe: nothing usable cached (no keyframe yet, or a codec change made the GOP stale)
 * - caching: `gop` starts on a keyframe and holds every unit since
 * - over_cap: the GOP grew past `maxBytes` (or MAX_UNITS units); nothing is cached until the next keyframe, so an
 *   encoder that never sends keyframes cannot grow memory
 */
export type GopCacheState = "no_keyframe" | "caching" | "over_cap";

export interface StartPoint<U> {
  readonly init: readonly U[];
  /** Starts on a keyframe; null when no usable GOP is cached (a reader then waits for a keyframe). */
  readonly gop: readonly U[] | null;
  readonly gopBytes: number;
}

export const DEFAULT_GOP_CACHE_MAX_BYTES = 16 * 1024 * 1024;

export class GopCache<U> {
  private readonly init = new Map<string, U>();
  private gop: U[] = [];
  private gopBytes = 0;
  private current: GopCacheState = "no_keyframe";

  constructor(
    private readonly format: UnitFormat<U>,
    private readonly maxBytes: number,
    /** Told once per GOP that outgrows the cap, so the hub can log it. */
    private readonly onOverCap: (bytes: number) => void = () => {},
  ) {}

  get state(): GopCacheState {
    return this.current;
  }

  add(unit: U): void {
    const slot = this.format.initSlot(unit);
    if (slot !== null) {
      this.replaceInit(slot, unit);
    } else if (this.format.isKeyframe(unit)) {
      this.drop("caching");
      this.append(unit);
    } else if (this.current === "caching") {
      this.append(unit);
    }
  }

  startPoint(): StartPoint<U> {
    const init = this.format.initSlots.flatMap((slot) => {
      const unit = this.init.get(slot);
      return unit === undefined ? [] : [unit];
    });
    const gop = this.current === "caching" ? this.gop : null;
    return { init, gop, gopBytes: gop === null ? 0 : this.gopBytes };
  }

  /**
   * A changed configuration means the cached frames were coded with the old one: a reader must not
   * get them after the new init unit, so the GOP is dropped until the next keyframe.
   */
  private replaceInit(slot: string, unit: U): void {
    const previous = this.init.get(slot);
    this.init.set(slot, unit);
    if (previous !== undefined && this.format.reconfigures(previous, unit)) this.drop("no_keyframe");
  }

  private append(unit: U): void {
    const bytes = this.gopBytes + this.format.size(unit);
    if (bytes > this.maxBytes || this.gop.length >= MAX_UNITS) {
      this.drop("over_cap");
      this.onOverCap(bytes);
      return;
    }
    this.gop.push(unit);
    this.gopBytes = bytes;
  }

  private drop(next: GopCacheState): void {
    this.gop = [];
    this.gopBytes = 0;
    this.current = next;
  }
}
