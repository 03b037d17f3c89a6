// A push starts its timestamps at 0, as an encoder would: the hub hands a reader the stream's own
// timestamps (the GOP's keyframe may be hours into the channel), and some servers take a large
// first timestamp for a gap. Init tags before the first frame go out at 0; frames are shifted by the
// first frame's timestamp; a frame a little before it (audio interleaved with the keyframe) goes out
// at 0 rather than wrapping to 2^32.

import type { FlvTag } from "../defs/flv-tag.js";
import { AUDIO, isSequenceHeader, VIDEO } from "../media/flv.js";

/** Half the 32-bit range: a larger unsigned step is a small step backwards. */
const HALF_RANGE = 2 ** 31;

export class Timeline {
  private base: number | null = null;

  stamp(tag: FlvTag): number {
    if (this.base === null) {
      const frame = (tag.type === AUDIO || tag.type === VIDEO) && !isSequenceHeader(tag);
      if (!frame) return 0;
      this.base = tag.timestamp;
    }
    const shifted = (tag.timestamp - this.base) >>> 0;
    return shifted >= HALF_RANGE ? 0 : shifted;
  }
}
