// The byte-stream face of a hub reader, for engines that take container bytes (ffmpeg's stdin):
// the container's header, if it has one, then each unit's bytes. It pulls from the reader only when
// the Readable asks (`_read`), so a slow consumer leaves units in the reader's bounded queue, where
// the overflow policy applies, instead of in a stream buffer that grows.
//
// How it ends: the publisher left -> the stream ends cleanly after the last queued unit (ffmpeg sees
// EOF and finishes its output); the reader was cut -> the stream is destroyed with a ReaderCutError
// at once, even if nobody is reading; destroying the stream closes the reader.
import { Readable } from "node:stream";
import type { EndReason } from "../defs/relay.js";
import { ReaderCutError } from "./errors.js";
import type { HubReader } from "./reader.js";

/** How a container's units become bytes. */
export interface ByteEncoding<U> {
  /** Sent once, before the first unit (FLV's file header); none for MPEG-TS. */
  readonly header?: Buffer;
  bytesOf(unit: U): Buffer;
}

export interface ByteStreamOptions {
  /** Bytes the Readable buffers ahead of its consumer; default 64 KiB. Keep it small: the reader's queue is the buffer. */
  readonly highWaterMark?: number;
  /**
   * Live units are gathered for this long and written as one chunk (default 0: each at once).
   * Each chunk is one write(2) into the consumer's pipe; at 40 ms a 30 fps stream with audio
   * costs ~25 writes/s instead of ~75, which is most of the node's CPU per restream.
   */
  readonly coalesceMs?: number;
}

export function toByteStream<U>(
  reader: HubReader<U>,
  encoding: ByteEncoding<U>,
  options: ByteStreamOptions = {},
): Readable {
  let headerSent = encoding.header === undefined;
  let waiting = false;
  const highWaterMark = options.highWaterMark ?? 64 * 1024;
  const coalesceMs = options.coalesceMs ?? 0;

  /** Everything queued now (up to highWaterMark), after `first`, as one chunk. */
  const drain = (first?: U): Buffer | null => {
    const chunks: Buffer[] = [];
    let size = 0;
    if (!headerSent && encoding.header !== undefined) {
      headerSent = true;
      chunks.push(encoding.header);
    }
    for (let unit = first ?? reader.poll(); unit !== undefined; unit = reader.poll()) {
      const bytes = encoding.bytesOf(unit);
      chunks.push(bytes);
      size += bytes.length;
      if (size >= highWaterMark) break;
    }
    return chunks.length === 0 ? null : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  };

  const finish = (reason: EndReason | null): void => {
    if (stream.destroyed) return;
    if (reason?.code === "too_slow") stream.destroy(new ReaderCutError(reason.message));
    else stream.push(null);
  };

  const pump = (): void => {
    if (waiting) return;
    const chunk = drain();
    // One push per read(): the stream calls read() again while it wants more.
    if (chunk) {
      stream.push(chunk);
      return;
    }
    if (reader.state === "ended") {
      finish(reader.endReason);
      return;
    }
    // Nothing queued: wait for the next unit, let more gather for coalesceMs, push them together.
    waiting = true;
    void reader.next().then((unit) => {
      const push = () => {
        waiting = false;
        if (stream.destroyed) return;
        if (unit === null) finish(reader.endReason);
        else {
          const chunk = drain(unit);
          if (chunk) stream.push(chunk);
          else pump(); // every unit gathered was left out: wait for the next
        }
      };
      if (unit !== null && coalesceMs > 0) setTimeout(push, coalesceMs);
      else push();
    });
  };

  const stream = new Readable({
    highWaterMark,
    read: pump,
    destroy(error, callback) {
      reader.close();
      callback(error);
    },
  });

  // A cut must reach the consumer even when it is not reading (that is usually why it was cut).
  void reader.whenEnded().then((reason) => {
    if (reason.code === "too_slow") finish(reason);
  });
  return stream;
}
