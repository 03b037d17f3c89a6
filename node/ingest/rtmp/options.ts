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
  /**
   * From accept (or the end of a publish) to the next accepted publish, whatever the peer sends:
   * the idle timer alone let a socket that pings every 9 s hold its slot forever.
   */
  readonly publishDeadlineMs: number;
  /** While publishing: the longest time without an audio or video message. */
  readonly mediaTimeoutMs: number;
  readonly reader: ChunkReaderLimits;
  readonly probe: ProbeLimits;
  /** Open connections per listener; more are refused by the kernel accept path. */
  readonly maxConnections: number;
  /** Open connections per listener from one IPv4 address or IPv6 /64; more are closed at accept. */
  readonly maxConnectionsPerAddress: number;
  /**
   * Bytes of replies (acknowledgements, pings, command answers) queued for a peer that does not
   * read them: past this the session stops reading from it until the socket drains.
   */
  readonly maxQueuedReplyBytes: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 10_000,
  publishDeadlineMs: 15_000,
  mediaTimeoutMs: 30_000,
  reader: DEFAULT_READER_LIMITS,
  probe: { probeMaxMs: 2_000, probeMaxBytes: 8 * 1024 * 1024 },
  maxConnections: 1_000,
  maxConnectionsPerAddress: 16,
  maxQueuedReplyBytes: 64 * 1024,
};
