// Splits messages into chunks with our own outgoing chunk size. Used by the ingest session for
// its replies and by the push client (media through a ChunkCache shared by its pushes): it knows
// chunks, not servers.
//
// Header compression per chunk stream: type 0 for the first message and whenever the message
// stream changes or time goes backwards; type 1 when length or type changes; type 2 when only
// the delta changes; type 3 when the delta repeats one a type 1 or 2 header carried (never
// right after a type 0: servers disagree on what delta that implies). Extended timestamps are
// repeated on every continuation chunk, as the spec, ffmpeg and OBS do.

import type { ChunkCache } from "./chunk-cache.js";
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

/** A chunk header's type and its timestamp field (the timestamp for type 0, else the delta). */
interface ChunkHeader {
  readonly fmt: 0 | 1 | 2 | 3;
  readonly field: number;
}

interface Previous {
  timestamp: number;
  length: number;
  typeId: number;
  streamId: number;
  /** The delta the last type 1/2 header carried; null after a type 0. */
  delta: number | null;
}

const EXTENDED = 0xffffff;

/**
 * Which encoding of a message a cache entry is: its bytes depend on nothing else but the message
 * (csid, type, payload) and these. The message stream id is written in type 0 headers only.
 */
function cacheKey(chunkSize: number, { fmt, field }: ChunkHeader, streamId: number): string {
  return fmt === 0 ? `${chunkSize}:0:${field}:${streamId}` : `${chunkSize}:${fmt}:${field}`;
}

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
    this.chunks(message, this.header(message), out);
    // The new size governs the chunks after this message, on both ends.
    if (message.typeId === MessageType.setChunkSize) this.applyChunkSize(readU32Body(message));
    return out;
  }

  /**
   * A media message's chunk bytes from `cache` when another writer with the same chunk size
   * already sent `source` under the same header, else made here and kept there. The header is
   * decided from this writer's own history, so a push that joined late or skipped a message gets
   * its own first header and shares again from the next message that matches.
   */
  encodeShared(message: RtmpMessage, source: object, cache: ChunkCache): Buffer {
    const header = this.header(message);
    const key = cacheKey(this.chunkSizeValue, header, message.streamId);
    return cache.get(source, key) ?? cache.put(source, key, Buffer.concat(this.chunks(message, header, [])));
  }

  /** Decides the header of the next message on its chunk stream and records it as sent. */
  private header(message: RtmpMessage): ChunkHeader {
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
    const next = prev ?? { timestamp, length: 0, typeId: 0, streamId: 0, delta: null };
    next.timestamp = timestamp;
    next.length = payload.length;
    next.typeId = message.typeId;
    next.streamId = message.streamId;
    next.delta = fmt === 0 ? null : delta;
    this.previous.set(csid, next);
    return { fmt, field: fmt === 0 ? timestamp : delta };
  }

  private chunks(message: RtmpMessage, { fmt, field }: ChunkHeader, parts: Buffer[]): Buffer[] {
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
    return parts;
  }

  private applyChunkSize(size: number): void {
    if (size < 1 || size > MAX_CHUNK_SIZE)
      throw new InvalidChunkSizeError(`chunk size ${size} is out of range`);
    this.chunkSizeValue = size;
  }
}
