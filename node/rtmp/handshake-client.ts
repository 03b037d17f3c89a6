// Client side of the RTMP handshake, fed bytes as they arrive. Used by the native push engine
// (node/rtmp-push) and the ingest tests' publisher:
//
//   awaiting_s0s1s2 --(S0 + S1 + S2, 3073 bytes)--> done    (answers C2; extra bytes are chunk data)
//   awaiting_s0s1s2 --(S0 is not version 3)-------> failed  (throws; the caller closes)
//
// C1 carries a Flash Player digest, as ffmpeg and librtmp send it: some servers answer a plain C1
// with a plain handshake, others insist on the digest. C2 is signed over the server's S1 digest when
// S1 has one, else it echoes S1. S2 is checked and reported, never enforced: servers differ.
import { randomFillSync } from "node:crypto";
import { HandshakeStateError, HandshakeVersionError } from "./errors.js";
import { RTMP_VERSION } from "./handshake.js";
import {
  findDigest,
  HANDSHAKE_SIZE,
  imprintDigest,
  PLAYER_KEY,
  PLAYER_KEY_PARTIAL,
  SERVER_KEY,
  SERVER_KEY_PARTIAL,
  signResponse,
  verifyResponse,
} from "./handshake-digest.js";

/** The Flash Player version ffmpeg claims in C1. */
const PLAYER_VERSION = [9, 0, 124, 2];

/** C0 + C1 as a client sends it; `c1Digest` (digest hellos only) is what a signed S2 covers. */
export function clientHello(digest: boolean): { bytes: Buffer; c1Digest: Buffer | null } {
  const c1 = randomFillSync(Buffer.alloc(HANDSHAKE_SIZE));
  c1.writeUInt32BE(0, 0);
  if (!digest) {
    c1.writeUInt32BE(0, 4);
    return { bytes: Buffer.concat([Buffer.from([RTMP_VERSION]), c1]), c1Digest: null };
  }
  c1.set(PLAYER_VERSION, 4);
  const found = imprintDigest(c1, 0, PLAYER_KEY_PARTIAL);
  return { bytes: Buffer.concat([Buffer.from([RTMP_VERSION]), c1]), c1Digest: found.digest };
}

export type ClientHandshakeState = "awaiting_s0s1s2" | "done" | "failed";

export interface ClientHandshakeStep {
  /** C2, once S0 + S1 + S2 are in. */
  readonly reply: Buffer | null;
  /** Bytes that followed S2: the first chunks, for the chunk reader. */
  readonly rest: Buffer;
}

/** What a digest handshake learnt of the server (null for a plain hello). */
export interface ServerChecks {
  readonly s1Digest: boolean;
  readonly s2Signature: boolean;
}

export class ClientHandshake {
  /** C0 + C1: send it first. */
  readonly hello: Buffer;
  private readonly c1Digest: Buffer | null;
  private stateValue: ClientHandshakeState = "awaiting_s0s1s2";
  private pending: Buffer = Buffer.alloc(0);
  private checksValue: ServerChecks | null = null;

  constructor(options: { digest: boolean }) {
    const hello = clientHello(options.digest);
    this.hello = hello.bytes;
    this.c1Digest = hello.c1Digest;
  }

  get state(): ClientHandshakeState {
    return this.stateValue;
  }

  get checks(): ServerChecks | null {
    return this.checksValue;
  }

  push(data: Buffer): ClientHandshakeStep {
    if (this.stateValue !== "awaiting_s0s1s2") {
      throw new HandshakeStateError(`handshake is ${this.stateValue}, cannot take more bytes`);
    }
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    if (this.pending[0] !== undefined && this.pending[0] !== RTMP_VERSION) {
      this.stateValue = "failed";
      throw new HandshakeVersionError(`server answered RTMP version ${this.pending[0]}, not 3`);
    }
    if (this.pending.length < 1 + 2 * HANDSHAKE_SIZE) return { reply: null, rest: Buffer.alloc(0) };
    const s1 = Buffer.from(this.pending.subarray(1, 1 + HANDSHAKE_SIZE));
    const s2 = this.pending.subarray(1 + HANDSHAKE_SIZE, 1 + 2 * HANDSHAKE_SIZE);
    const rest = this.pending.subarray(1 + 2 * HANDSHAKE_SIZE);
    this.pending = Buffer.alloc(0);
    this.stateValue = "done";
    return { reply: this.answer(s1, s2), rest };
  }

  private answer(s1: Buffer, s2: Buffer): Buffer {
    if (this.c1Digest === null) return s1;
    const serverDigest = findDigest(s1, SERVER_KEY_PARTIAL);
    this.checksValue = {
      s1Digest: serverDigest !== null,
      s2Signature: verifyResponse(s2, this.c1Digest, SERVER_KEY),
    };
    if (serverDigest === null) return s1;
    const c2 = randomFillSync(Buffer.alloc(HANDSHAKE_SIZE));
    signResponse(c2, serverDigest.digest, PLAYER_KEY);
    return c2;
  }
}
