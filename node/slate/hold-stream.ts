// A SlateHold's units as bytes (FLV, or MPEG-TS for a channel ingested over SRT), for an engine that
// reads bytes (the ffmpeg engine: SRT destinations), so its ffmpeg reads one continuous stream
// across the slate: live, slate, live again. The hold has no "ready" signal (the slate's tags fall due with
// the clock), so an empty read looks again after POLL_MS, the pace the hub's relays are fed at.
// The stream ends when the hold does (cut off: destroyed with a ReaderCutError, as a hub reader's
// byte stream is); destroying it closes the hold.
import { Readable } from "node:stream";
import type { EndReason } from "../defs/relay.js";
import type { ByteEncoding } from "../hub/byte-stream.js";
import { ReaderCutError } from "../hub/errors.js";
import type { SlateHold } from "./slate-hold.js";

const POLL_MS = 40;
const HIGH_WATER_MARK = 64 * 1024;

export function holdStream<U>(hold: SlateHold<U>, encoding: ByteEncoding<U>): Readable {
  let headerSent = encoding.header === undefined;
  let timer: NodeJS.Timeout | undefined;
  let ended: EndReason | null = null;

  const drain = (): Buffer | null => {
    const chunks: Buffer[] = headerSent || !encoding.header ? [] : [encoding.header];
    headerSent = true;
    let size = 0;
    for (let unit = hold.poll(); unit !== undefined; unit = hold.poll()) {
      const bytes = encoding.bytesOf(unit);
      chunks.push(bytes);
      size += bytes.length;
      if (size >= HIGH_WATER_MARK) break;
    }
    return chunks.length === 0 ? null : Buffer.concat(chunks);
  };

  const finish = (reason: EndReason): void => {
    if (stream.destroyed) return;
    if (reason.code === "too_slow") stream.destroy(new ReaderCutError(reason.message));
    else stream.push(null);
  };

  const read = (): void => {
    if (timer !== undefined) return;
    const chunk = drain();
    if (chunk) stream.push(chunk);
    else if (ended) finish(ended);
    else
      timer = setTimeout(() => {
        timer = undefined;
        if (!stream.destroyed) read();
      }, POLL_MS);
  };

  const stream = new Readable({
    highWaterMark: HIGH_WATER_MARK,
    read,
    destroy(error, callback) {
      clearTimeout(timer);
      hold.close();
      callback(error);
    },
  });

  void hold.whenEnded().then((reason) => {
    ended = reason;
    if (reason.code === "too_slow") finish(reason);
  });
  return stream;
}
