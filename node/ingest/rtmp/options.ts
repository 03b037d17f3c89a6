// Tunables of the RTMP ingest and the logger it needs, with the defaults the node runs with.
// Tests shorten the timeouts; nothing reads the environment here.
import { type ChunkReaderLimits, DEFAULT_READER_LIMITS } from "../../rtmp/chunk-reader.js";
import type { ProbeLimits } from "./publish.js";

/** The subset of the node's pino logger the ingest uses (a test passes a recorder). */
export interface IngestLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface SessionLimits {
  /** From accept to the end of the handshake, however the bytes trickle in. */
  readonly handshakeTimeoutMs: number;
  /** Before publishing: the longest silence from the peer. */
  readonly idleTimeoutMs: number;
  /** While publishing: the longest time without an audio or video message. */
  readonly mediaTimeoutMs: number;
  readonly reader: ChunkReaderLimits;
  readonly probe: ProbeLimits;
  /** Open connections per listener; more are refused by the kernel accept path. */
  readonly maxConnections: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 10_000,
  mediaTimeoutMs: 30_000,
  reader: DEFAULT_READER_LIMITS,
  probe: { probeMaxMs: 2_000, probeMaxBytes: 8 * 1024 * 1024 },
  maxConnections: 1_000,
};
