// The byte-stream face of a hub reader, for engines that take FLV bytes (ffmpeg's stdin):
// FLV_HEADER, then encodeTag(tag) for each tag. It pulls from the reader only when the Readable asks
// (`_read`), so a slow consumer leaves tags in the reader's bounded queue, where the overflow policy
// applies, instead of in a stream buffer that grows.
//
// How it ends: the publisher left -> the stream ends cleanly after the last queued tag (ffmpeg sees
// EOF and finishes its output); the reader was cut -> the stream is destroyed with a ReaderCutError
// at once, even if nobody is reading; destroying the stream closes the reader.
import { Readable } from "node:stream";
import { encodeTag, FLV_HEADER } from "../media/flv.js";
import { ReaderCutError } from "./errors.js";
import type { EndReason, HubReader } from "./reader.js";

export interface FlvStreamOptions {
  /** Bytes the Readable buffers ahead of its consumer; default 64 KiB. Keep it small: the reader's queue is the buffer. */
  readonly highWaterMark?: number;
}

export function toFlvStream(reader: HubReader, options: FlvStreamOptions = {}): Readable {
  let headerSent = false;
  let waiting = false;

  const finish = (reason: EndReason | null): void => {
    if (stream.destroyed) return;
    if (reason?.code === "too_slow") stream.destroy(new ReaderCutError(reason.message));
    else stream.push(null);
  };

  const pump = (): void => {
    if (!headerSent) {
      headerSent = true;
      if (!stream.push(FLV_HEADER)) return;
    }
    for (let tag = reader.poll(); tag !== undefined; tag = reader.poll()) {
      if (!stream.push(encodeTag(tag))) return;
    }
    if (reader.state === "ended") {
      finish(reader.endReason);
      return;
    }
    if (waiting) return;
    // Nothing queued: wait for the next tag. Pushing it makes the stream call read() again.
    waiting = true;
    void reader.next().then((tag) => {
      waiting = false;
      if (stream.destroyed) return;
      if (tag === null) finish(reader.endReason);
      else stream.push(encodeTag(tag));
    });
  };

  const stream = new Readable({
    highWaterMark: options.highWaterMark ?? 64 * 1024,
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
