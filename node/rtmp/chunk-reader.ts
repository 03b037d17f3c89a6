// Reassembles RTMP messages from the chunk stream, fed bytes as they arrive. Used by the ingest
// session and, later, the push client: it knows chunks, not servers or publishers.
//
// It applies the chunk layer's own control messages as soon as they complete (Set Chunk Size
// must govern the very next chunk, Abort drops a partial message, Window Acknowledgement Size
// sets when we owe an Acknowledgement) and still returns them, so the caller sees everything.
//
// Memory per connection is bounded whatever the peer announces, in bytes and in objects: a
// message longer than `maxMessageSize` (`maxCommandSize` for anything but audio, video and
// aggregates, which are decoded whole as AMF) is refused at its header; a chunk size under 128
// is refused (chunk size 1 once made one Buffer per payload byte: 2 MiB sent grew the heap
// 233 MiB); a partial message is one buffer that grows geometrically as its payload arrives
// (never preallocated from a length the peer chose, never one object per chunk); the bytes
// held across partial messages and the number of chunk streams are capped; at most one
// partial chunk header (<= 18 bytes) is kept. Once the peer has proven who it is (an ingest's
// publisher whose stream key was accepted: `trustLengths`), a message's buffer is allocated at its
// announced length, still within the caps: one allocation and no growth copies per video frame.
import { readU32Body } from "./control.js";
import {
  ChunkSequenceError,
  InvalidChunkSizeError,
  MessageTooLargeError,
  RtmpProtocolError,
  TooManyChunkStreamsError,
} from "./errors.js";
import {
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  MessageType,
  MIN_CHUNK_SIZE,
  type RtmpMessage,
} from "./messages.js";

export interface ChunkReaderLimits {
  /** Largest message accepted, in bytes (a 1080p keyframe is well under 1 MiB). */
  readonly maxMessageSize: number;
  /** Largest message of any other type than audio, video and aggregate (commands, metadata, control). */
  readonly maxCommandSize: number;
  /** Chunk streams a peer may use on one connection (ffmpeg and OBS use about five). */
  readonly maxChunkStreams: number;
  /** Bytes held across all partly received messages. */
  readonly maxBufferedBytes: number;
}

export const DEFAULT_READER_LIMITS: ChunkReaderLimits = {
  maxMessageSize: 8 * 1024 * 1024,
  maxCommandSize: 256 * 1024,
  maxChunkStreams: 64,
  maxBufferedBytes: 16 * 1024 * 1024,
};

export interface ChunkReadResult {
  readonly messages: RtmpMessage[];
  /** When set, send an Acknowledgement with this sequence number (the window was crossed). */
  readonly acknowledgement: number | null;
}

/** What the previous header on a chunk stream said, and the message being reassembled there. */
interface StreamState {
  timestamp: number;
  /** The last timestamp (fmt 0) or delta (fmt 1, 2) field, extended value included. */
  field: number;
  extended: boolean;
  length: number;
  typeId: number;
  streamId: number;
  /** The partial message's payload so far: `received` bytes written, capacity up to `length`. */
  payload: Buffer | null;
  received: number;
}

const EXTENDED = 0xffffff;
const HEADER_SIZE = [11, 7, 3, 0] as const;
/**
 * First capacity of a partial message's buffer; it doubles from there, up to the message length.
 * Not larger: 64 KiB (one copy per typical frame) grew the heap by 60-70 MiB under the ping flood of
 * test/integration/rtmp-attacks.test.ts, against +5-13 MiB at 4 KiB.
 */
const INITIAL_CAPACITY = 4096;
/** No bytes: what `pending` holds between reads (one shared Buffer, not one per read). */
const NOTHING = Buffer.alloc(0);
/** Message types that carry media: they may be as large as `maxMessageSize`. */
const MEDIA_TYPES: ReadonlySet<number> = new Set([
  MessageType.audio,
  MessageType.video,
  MessageType.aggregate,
]);

export class ChunkReader {
  private chunkSizeValue = DEFAULT_CHUNK_SIZE;
  private readonly streams = new Map<number, StreamState>();
  /** A chunk header cut by the end of the last push (at most 18 bytes). */
  private pending: Buffer = NOTHING;
  /** The chunk whose payload is being read, and how many of its bytes are still to come. */
  private current: { csid: number; state: StreamState; remaining: number } | null = null;
  private buffered = 0;
  private failed: RtmpProtocolError | null = null;
  private bytesReceived = 0;
  private lastAck = 0;
  private ackWindow = 0;
  /** Whether a message's buffer is allocated whole at its first chunk (see trustLengths). */
  private whole = false;

  constructor(private readonly limits: ChunkReaderLimits = DEFAULT_READER_LIMITS) {}

  /** The peer's chunk size, as its last Set Chunk Size said. */
  get chunkSize(): number {
    return this.chunkSizeValue;
  }
  /** Total bytes pushed, modulo 2^32 as Acknowledgements count them. */
  get totalBytes(): number {
    return this.bytesReceived >>> 0;
  }

  /**
   * The peer is known now (its stream key was accepted): from the next message on, a partial
   * message's buffer is allocated at the length its header announced, not grown from 4 KiB by
   * doubling (a 12 kB video frame was three allocations and two copies). `maxBufferedBytes` still
   * bounds what partial messages hold, counting that capacity.
   */
  trustLengths(): void {
    this.whole = true;
  }

  push(data: Buffer): ChunkReadResult {
    if (this.failed) throw this.failed;
    try {
      return this.read(data);
    } catch (error) {
      // One bad byte leaves the stream unframed: refuse everything after it.
      this.failed = error instanceof RtmpProtocolError ? error : new RtmpProtocolError("chunk reader failed");
      throw error;
    }
  }

  private read(data: Buffer): ChunkReadResult {
    this.bytesReceived += data.length;
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, data]) : data;
    this.pending = NOTHING;
    const messages: RtmpMessage[] = [];
    let pos = 0;
    while (pos < buf.length) {
      if (this.current) {
        pos = this.readPayload(buf, pos, messages);
        continue;
      }
      const next = this.readHeader(buf, pos, messages);
      if (next === null) {
        this.pending = Buffer.from(buf.subarray(pos));
        break;
      }
      pos = next;
    }
    return { messages, acknowledgement: this.dueAcknowledgement() };
  }

  private dueAcknowledgement(): number | null {
    if (this.ackWindow <= 0 || this.bytesReceived - this.lastAck < this.ackWindow) return null;
    this.lastAck = this.bytesReceived;
    return this.bytesReceived >>> 0;
  }

  /** Parses one chunk header at `pos`; returns the offset after it, or null when it is incomplete. */
  private readHeader(buf: Buffer, pos: number, messages: RtmpMessage[]): number | null {
    const b0 = buf[pos] as number;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let p = pos + 1;
    if (csid === 0 || csid === 1) {
      const extra = csid + 1;
      if (p + extra > buf.length) return null;
      csid = 64 + (buf[p] as number) + (csid === 1 ? (buf[p + 1] as number) * 256 : 0);
      p += extra;
    }
    const headerSize = HEADER_SIZE[fmt as 0 | 1 | 2 | 3];
    if (p + headerSize > buf.length) return null;
    const state = this.streamFor(csid, fmt);
    const inProgress = state.received > 0;
    let field = state.field;
    let length = state.length;
    let typeId = state.typeId;
    let streamId = state.streamId;
    let extended = state.extended;
    if (fmt <= 2) {
      field = buf.readUIntBE(p, 3);
      extended = field === EXTENDED;
    }
    if (fmt <= 1) {
      length = buf.readUIntBE(p + 3, 3);
      typeId = buf[p + 6] as number;
    }
    if (fmt === 0) streamId = buf.readUInt32LE(p + 7);
    p += headerSize;
    if (extended) {
      if (p + 4 > buf.length) return null;
      const value = buf.readUInt32BE(p);
      // On a continuation chunk the spec repeats the extended timestamp (ffmpeg and OBS do);
      // some old encoders leave it out, so take the 4 bytes only when they repeat the value.
      if (fmt !== 3 || !inProgress || value === state.field) {
        field = value;
        p += 4;
      }
    }
    if (fmt !== 3 || !inProgress) {
      this.startMessage(state, fmt, field, extended, length, typeId, streamId);
    }
    if (state.length === 0) {
      this.complete(csid, state, messages);
      return p;
    }
    const remaining = Math.min(this.chunkSizeValue, state.length - state.received);
    this.current = { csid, state, remaining };
    return p;
  }

  private streamFor(csid: number, fmt: number): StreamState {
    const known = this.streams.get(csid);
    if (known) return known;
    if (fmt !== 0) {
      throw new ChunkSequenceError(`chunk stream ${csid} starts with a type ${fmt} header, not type 0`);
    }
    if (this.streams.size >= this.limits.maxChunkStreams) {
      throw new TooManyChunkStreamsError(`more than ${this.limits.maxChunkStreams} chunk streams`);
    }
    const state: StreamState = {
      timestamp: 0,
      field: 0,
      extended: false,
      length: 0,
      typeId: 0,
      streamId: 0,
      payload: null,
      received: 0,
    };
    this.streams.set(csid, state);
    return state;
  }

  private startMessage(
    state: StreamState,
    fmt: number,
    field: number,
    extended: boolean,
    length: number,
    typeId: number,
    streamId: number,
  ): void {
    const max = MEDIA_TYPES.has(typeId) ? this.limits.maxMessageSize : this.limits.maxCommandSize;
    if (length > max) {
      throw new MessageTooLargeError(`message of type ${typeId} and ${length} bytes exceeds ${max}`);
    }
    // A new header while a message is half read: the sender gave up on it (as ffmpeg's reader
    // assumes). Drop what we had.
    this.dropPartial(state);
    state.timestamp = fmt === 0 ? field >>> 0 : (state.timestamp + field) >>> 0;
    state.field = field;
    state.extended = extended;
    state.length = length;
    state.typeId = typeId;
    state.streamId = streamId;
  }

  private readPayload(buf: Buffer, pos: number, messages: RtmpMessage[]): number {
    const current = this.current as { csid: number; state: StreamState; remaining: number };
    const take = Math.min(current.remaining, buf.length - pos);
    // Copy: a view would pin the whole socket buffer for as long as the message is partial.
    buf.copy(this.room(current.state, take), current.state.received, pos, pos + take);
    current.state.received += take;
    current.remaining -= take;
    if (current.remaining === 0) {
      this.current = null;
      if (current.state.received >= current.state.length)
        this.complete(current.csid, current.state, messages);
    }
    return pos + take;
  }

  /**
   * The partial message's buffer with room for `take` more bytes: grown geometrically (so at most
   * twice what has arrived is held), never past the announced length, so a complete message's
   * buffer is exactly its payload and every byte of it was written.
   */
  private room(state: StreamState, take: number): Buffer {
    const needed = state.received + take;
    const old = state.payload;
    const oldCapacity = old?.length ?? 0;
    if (old !== null && oldCapacity >= needed) return old;
    const capacity = this.whole
      ? state.length
      : Math.min(state.length, Math.max(needed, 2 * oldCapacity, INITIAL_CAPACITY));
    if (this.buffered + capacity - oldCapacity > this.limits.maxBufferedBytes) {
      throw new TooManyChunkStreamsError(
        `partial messages hold more than ${this.limits.maxBufferedBytes} bytes`,
      );
    }
    const grown = Buffer.allocUnsafe(capacity);
    old?.copy(grown, 0, 0, state.received);
    this.buffered += capacity - oldCapacity;
    state.payload = grown;
    return grown;
  }

  private complete(csid: number, state: StreamState, messages: RtmpMessage[]): void {
    const payload = state.payload ?? Buffer.alloc(0);
    this.dropPartial(state);
    const message: RtmpMessage = {
      csid,
      timestamp: state.timestamp,
      typeId: state.typeId,
      streamId: state.streamId,
      payload,
    };
    this.applyControl(message);
    messages.push(message);
  }

  private dropPartial(state: StreamState): void {
    this.buffered -= state.payload?.length ?? 0;
    state.payload = null;
    state.received = 0;
  }

  /** The chunk layer's own messages take effect before the next chunk is parsed. */
  private applyControl(message: RtmpMessage): void {
    if (message.typeId === MessageType.setChunkSize) {
      const size = readU32Body(message);
      if (size < MIN_CHUNK_SIZE || size > MAX_CHUNK_SIZE)
        throw new InvalidChunkSizeError(`Set Chunk Size ${size} is out of range`);
      this.chunkSizeValue = size;
    } else if (message.typeId === MessageType.abort) {
      const target = this.streams.get(readU32Body(message));
      if (target) this.dropPartial(target);
    } else if (message.typeId === MessageType.windowAckSize) {
      this.ackWindow = readU32Body(message);
    }
  }
}
