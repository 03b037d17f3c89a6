// Splits messages into chunks with our own outgoing chunk size. Used by the ingest session for
// its replies and, later, by the push client for media: it knows chunks, not servers.
//
// Header compression per chunk stream: type 0 for the first message and whenever the message
// stream changes or time goes backwards; type 1 when length or type changes; type 2 when only
// the delta changes; type 3 when the delta repeats one a type 1 or 2 header carried (never
// right after a type 0: servers disagree on what delta that implies). Extended timestamps are
// repeated on every continuation chunk, as the spec, ffmpeg and OBS do.
import { readU32Body } from "./control.js";
import { InvalidChunkSizeError } from "./errors.js";
import {
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  MAX_CSID,
  MessageType,
  MIN_CSID,
  type RtmpMessage,
} from "./messages.js";

interface Previous {
  timestamp: number;
  length: number;
  typeId: number;
  streamId: number;
  /** The delta the last type 1/2 header carried; null after a type 0. */
  delta: number | null;
}

const EXTENDED = 0xffffff;

function basicHeader(fmt: number, csid: number): Buffer {
  if (csid < 64) return Buffer.from([(fmt << 6) | csid]);
  if (csid < 320) return Buffer.from([fmt << 6, csid - 64]);
  return Buffer.from([(fmt << 6) | 1, (csid - 64) & 0xff, (csid - 64) >> 8]);
}

export class ChunkWriter {
  private chunkSizeValue = DEFAULT_CHUNK_SIZE;
  private readonly previous = new Map<number, Previous>();

  /** Our outgoing chunk size; changes when a Set Chunk Size message goes through write(). */
  get chunkSize(): number {
    return this.chunkSizeValue;
  }

  /** The message as chunk bytes, ready for the socket. */
  write(message: RtmpMessage): Buffer {
    return Buffer.concat(this.encode(message, []));
  }

  /**
   * The message's chunk bytes appended to `out` as pieces (headers and views of the payload), for a
   * caller that gathers many messages into one socket write without copying each one first.
   */
  encode(message: RtmpMessage, out: Buffer[]): Buffer[] {
    const { csid, payload } = message;
    if (!Number.isInteger(csid) || csid < MIN_CSID || csid > MAX_CSID) {
      throw new RangeError(`chunk stream id ${csid} is outside ${MIN_CSID}..${MAX_CSID}`);
    }
    if (payload.length > 0xffffff) throw new RangeError("RTMP messages are at most 16 MiB - 1");
    const timestamp = message.timestamp >>> 0;
    const prev = this.previous.get(csid);
    const delta = prev ? (timestamp - prev.timestamp) >>> 0 : 0;
    let fmt: 0 | 1 | 2 | 3;
    if (!prev || prev.streamId !== message.streamId || timestamp < prev.timestamp) fmt = 0;
    else if (prev.length !== payload.length || prev.typeId !== message.typeId) fmt = 1;
    else if (prev.delta !== delta) fmt = 2;
    else fmt = 3;
    const field = fmt === 0 ? timestamp : delta;
    this.previous.set(csid, {
      timestamp,
      length: payload.length,
      typeId: message.typeId,
      streamId: message.streamId,
      delta: fmt === 0 ? null : delta,
    });
    this.chunks(fmt, message, field, out);
    // The new size governs the chunks after this message, on both ends.
    if (message.typeId === MessageType.setChunkSize) this.applyChunkSize(readU32Body(message));
    return out;
  }

  private chunks(fmt: 0 | 1 | 2 | 3, message: RtmpMessage, field: number, parts: Buffer[]): void {
    const extended = field >= EXTENDED;
    const ext = Buffer.allocUnsafe(4);
    ext.writeUInt32BE(field >>> 0, 0);
    const header = Buffer.alloc(fmt === 0 ? 11 : fmt === 1 ? 7 : fmt === 2 ? 3 : 0);
    if (fmt <= 2) header.writeUIntBE(extended ? EXTENDED : field, 0, 3);
    if (fmt <= 1) {
      header.writeUIntBE(message.payload.length, 3, 3);
      header[6] = message.typeId;
    }
    if (fmt === 0) header.writeUInt32LE(message.streamId >>> 0, 7);
    parts.push(basicHeader(fmt, message.csid), header);
    if (extended) parts.push(ext);
    const continuation = basicHeader(3, message.csid);
    const { payload } = message;
    for (let offset = 0; offset < payload.length || offset === 0; offset += this.chunkSizeValue) {
      if (offset > 0) {
        parts.push(continuation);
        if (extended) parts.push(ext);
      }
      parts.push(payload.subarray(offset, offset + this.chunkSizeValue));
      if (payload.length === 0) break;
    }
  }

  private applyChunkSize(size: number): void {
    if (size < 1 || size > MAX_CHUNK_SIZE)
      throw new InvalidChunkSizeError(`chunk size ${size} is out of range`);
    this.chunkSizeValue = size;
  }
}
