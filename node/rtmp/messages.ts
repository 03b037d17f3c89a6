// RTMP message vocabulary shared by the chunk reader and writer, the ingest session and, later,
// the push client.

export const MessageType = {
  setChunkSize: 1,
  abort: 2,
  acknowledgement: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  dataAmf3: 15,
  sharedObjectAmf3: 16,
  commandAmf3: 17,
  dataAmf0: 18,
  sharedObjectAmf0: 19,
  commandAmf0: 20,
  aggregate: 22,
} as const;

/** One reassembled message (the reader's output, the writer's input). */
export interface RtmpMessage {
  /** Chunk stream id, 2..65599 (2 is reserved for protocol control). */
  readonly csid: number;
  /** Milliseconds, 32 bits, wrapping. */
  readonly timestamp: number;
  readonly typeId: number;
  /** Message stream id (0 for the connection, the createStream result for a stream). */
  readonly streamId: number;
  readonly payload: Buffer;
}

/** Chunk stream ids as ffmpeg and OBS use them; the peer may use any. */
export const Csid = {
  protocolControl: 2,
  command: 3,
  /** Data messages on a stream (onMetaData). */
  data: 4,
  /** Replies on a message stream (onStatus). */
  streamCommand: 5,
  audio: 6,
  video: 7,
} as const;

export const MIN_CSID = 2;
export const MAX_CSID = 65599;
/** The spec's ceiling for Set Chunk Size (the top bit must be 0). */
export const MAX_CHUNK_SIZE = 0x7fffffff;
export const DEFAULT_CHUNK_SIZE = 128;
/**
 * The smallest Set Chunk Size we accept (the spec allows 1). Every encoder we know sends 4096 or
 * more; below the default, headers outweigh payload and only an attacker gains.
 */
export const MIN_CHUNK_SIZE = 128;
