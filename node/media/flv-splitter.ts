// FLV bytes back into tags: what a chain link's listener reads from ffmpeg's stdout (an FLV
// stream, node/ingest/srt/flv-session.ts). Incremental: chunks may cut a tag anywhere. The inverse
// of node/media/flv.ts encodeTag; tags of other types than audio, video and script are skipped.
import { StreamwellError } from "../defs/errors.js";
import type { FlvTag, TagType } from "../defs/flv-tag.js";
import { AUDIO, SCRIPT, VIDEO } from "./flv.js";

export class FlvFormatError extends StreamwellError {}

const SIGNATURE = "FLV";
const TAG_HEADER = 11;
const PREVIOUS_TAG_SIZE = 4;
const KNOWN: readonly number[] = [AUDIO, VIDEO, SCRIPT];

export class FlvSplitter {
  private buffered: Buffer = Buffer.alloc(0);
  /** Chunks that arrived since, not yet joined: a big keyframe is joined once, not per chunk. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before anything can be cut (the file header, a tag header, a whole tag). */
  private needed = 9;
  /** Bytes of the file header (and PreviousTagSize0) still to skip; null until the header is read. */
  private headerLeft: number | null = null;

  /** The whole tags in `chunk` and what came before it. Throws FlvFormatError on bytes that are not FLV. */
  push(chunk: Buffer): FlvTag[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.buffered.length + this.pendingBytes < this.needed) return [];
    this.buffered = Buffer.concat([this.buffered, ...this.pending]);
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.skipHeader()) return [];
    const tags: FlvTag[] = [];
    let offset = 0;
    while (this.buffered.length - offset >= TAG_HEADER) {
      const size = this.buffered.readUIntBE(offset + 1, 3);
      const end = offset + TAG_HEADER + size + PREVIOUS_TAG_SIZE;
      if (this.buffered.length < end) break;
      // The filter bit (encrypted tags) and the reserved bits are never set by ffmpeg's muxer.
      const type = this.buffered[offset] as number;
      if (KNOWN.includes(type)) {
        const timestamp =
          (this.buffered.readUIntBE(offset + 4, 3) | ((this.buffered[offset + 7] as number) << 24)) >>> 0;
        // A copy: the tag outlives this chunk in the hub's GOP cache.
        const data = Buffer.from(this.buffered.subarray(offset + TAG_HEADER, offset + TAG_HEADER + size));
        tags.push({ type: type as TagType, timestamp, data });
      }
      offset = end;
    }
    this.buffered = this.buffered.subarray(offset);
    this.needed =
      this.buffered.length < TAG_HEADER
        ? TAG_HEADER
        : TAG_HEADER + this.buffered.readUIntBE(1, 3) + PREVIOUS_TAG_SIZE;
    return tags;
  }

  /** Whether the file header is behind us (false: not all of it has arrived yet). */
  private skipHeader(): boolean {
    if (this.headerLeft === null) {
      if (this.buffered.length < 9) return false;
      if (this.buffered.toString("latin1", 0, 3) !== SIGNATURE) throw new FlvFormatError("not an FLV stream");
      this.headerLeft = this.buffered.readUInt32BE(5) + PREVIOUS_TAG_SIZE;
    }
    const skip = Math.min(this.headerLeft, this.buffered.length);
    this.buffered = this.buffered.subarray(skip);
    this.headerLeft -= skip;
    this.needed = this.headerLeft + TAG_HEADER;
    return this.headerLeft === 0;
  }
}
