// Remote Playback's feed. ffmpeg serving an SRT listener opens its input first, then blocks in the
// accept and reads no stdin until a caller arrives, which may be hours later (docs/decisions.md,
// "Remote Playback: priming"). So the listener gets two things, in one byte stream:
// 1. at once, the primer: FLV header, init tags and one keyframe, all at timestamp 0: just enough
//    for ffmpeg (with a 32-byte probe) to open its input and reach the accept. No hub reader stays
//    attached meanwhile, so nothing queues and no slow-reader limit can cut it.
// 2. on resume() (a caller connected): a fresh hub reader from the current GOP, every timestamp
//    moved LIVE_OFFSET_MS later. The listener's `-ss` (PRIMER_CUTOFF_SECONDS, node/ffmpeg/
//    playback-args.ts) drops what comes before it, i.e. the stale primer keyframe, so the caller
//    starts on the fresh keyframe. Script tags are left out after the primer: ffmpeg reads
//    onMetaData only when it opens, and a later one makes it add a data stream.
import { PassThrough, type Readable } from "node:stream";
import type { FlvTag } from "../defs/flv-tag.js";
import { encodeTag, FLV_HEADER, isKeyframe, SCRIPT } from "../media/flv.js";
import { type ByteEncoding, toByteStream } from "./byte-stream.js";
import type { ChannelHub } from "./hub.js";
import type { HubReader } from "./reader.js";

/** How much later than the primer the live tags are stamped. More than a keyframe's composition offset. */
export const LIVE_OFFSET_MS = 1_000;
/** The listener drops packets stamped earlier than this: the primer, never a live tag. */
export const PRIMER_CUTOFF_SECONDS = LIVE_OFFSET_MS / 2 / 1000;

export interface PrimedStreamOptions {
  /** Shown in the hub's log lines, e.g. a restream id. */
  readonly name: string;
  readonly coalesceMs?: number;
}

export interface PrimedFlv {
  /** ffmpeg's stdin. */
  readonly stream: Readable;
  /** A caller connected: stream the channel from its current keyframe on. Idempotent. */
  resume(): void;
  close(): void;
}

/** After the primer: no file header, no script tags, every timestamp LIVE_OFFSET_MS later. */
const LIVE_BYTES: ByteEncoding<FlvTag> = {
  bytesOf: (tag) =>
    tag.type === SCRIPT ? null : encodeTag({ ...tag, timestamp: tag.timestamp + LIVE_OFFSET_MS }),
};

export function primedFlvStream(hub: ChannelHub<FlvTag>, options: PrimedStreamOptions): PrimedFlv {
  const out = new PassThrough();
  let live: Readable | null = null;
  const primer = hub.subscribe({ name: `${options.name} (primer)` });
  void writePrimer(primer, out).finally(() => primer.close());

  return {
    stream: out,
    resume() {
      if (live !== null || out.destroyed) return;
      // "resync": a caller that falls far behind jumps to a fresh keyframe instead of being dropped.
      const reader = hub.subscribe({ name: options.name, overflow: "resync" });
      live = toByteStream(reader, LIVE_BYTES, { coalesceMs: options.coalesceMs ?? 0 });
      live.on("error", (error) => out.destroy(error));
      live.pipe(out);
    },
    close() {
      primer.close();
      live?.destroy();
      out.destroy();
    },
  };
}

/** Init tags up to and including the first keyframe, stamped 0; ends `out` if the hub ends first. */
async function writePrimer(reader: HubReader<FlvTag>, out: PassThrough): Promise<void> {
  const chunks = [FLV_HEADER];
  for (let tag = await reader.next(); tag !== null; tag = await reader.next()) {
    chunks.push(encodeTag({ ...tag, timestamp: 0 }));
    if (!isKeyframe(tag)) continue;
    if (!out.destroyed) out.write(Buffer.concat(chunks));
    return;
  }
  if (!out.destroyed) out.end();
}
