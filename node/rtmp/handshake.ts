// Server side of the RTMP handshake, fed bytes as they arrive:
//
//   awaiting_c0c1 --(C0 + C1, 1537 bytes)--> awaiting_c2   (answers S0 + S1 + S2 at once)
//   awaiting_c2   --(C2, 1536 bytes)-------> done          (extra bytes are chunk data)
//   any           --(bad version)----------> failed        (throws; the caller closes)
//
// A C1 that carries a valid Flash Player digest gets a digested S1 (same scheme) and an S2
// signed over the C1 digest, as Flash and some hardware encoders check; anything else gets the
// plain answer (random S1, S2 = C1 echoed). C2 is not verified: clients differ in what they
// send and nothing depends on it.
import { randomFillSync } from "node:crypto";
import { HandshakeStateError, HandshakeVersionError } from "./errors.js";
import {
  type DigestScheme,
  findDigest,
  HANDSHAKE_SIZE,
  imprintDigest,
  PLAYER_KEY_PARTIAL,
  SERVER_KEY,
  SERVER_KEY_PARTIAL,
  signResponse,
} from "./handshake-digest.js";

export * from "./handshake-digest.js";

export const RTMP_VERSION = 3;
/** S1 version field; a first byte >= 3 tells clients (ffmpeg when playing) to check our digest. */
const SERVER_VERSION = Buffer.from([0x0d, 0x0e, 0x0a, 0x0d]);

export type HandshakeState = "awaiting_c0c1" | "awaiting_c2" | "done" | "failed";
export type HandshakeKind = "plain" | "digest";

export interface HandshakeStep {
  /** Bytes to send to the peer now (S0 + S1 + S2), if any. */
  readonly reply: Buffer | null;
  /** Bytes that followed C2: the first chunks, for the chunk reader. */
  readonly rest: Buffer;
}

export class ServerHandshake {
  private stateValue: HandshakeState = "awaiting_c0c1";
  private pending: Buffer = Buffer.alloc(0);
  private kindValue: HandshakeKind | null = null;
  private schemeValue: DigestScheme | null = null;

  get state(): HandshakeState {
    return this.stateValue;
  }
  /** Known once C1 has been read. */
  get kind(): HandshakeKind | null {
    return this.kindValue;
  }
  get scheme(): DigestScheme | null {
    return this.schemeValue;
  }

  push(data: Buffer): HandshakeStep {
    if (this.stateValue === "done" || this.stateValue === "failed") {
      throw new HandshakeStateError(`handshake is ${this.stateValue}, cannot take more bytes`);
    }
    // At most C0 + C1 + C2 is ever held here: the caller hands later bytes to the chunk reader.
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    let reply: Buffer | null = null;
    if (this.stateValue === "awaiting_c0c1" && this.pending.length >= 1 + HANDSHAKE_SIZE) {
      reply = this.answer(this.pending.subarray(0, 1 + HANDSHAKE_SIZE));
      this.pending = this.pending.subarray(1 + HANDSHAKE_SIZE);
      this.stateValue = "awaiting_c2";
    }
    if (this.stateValue === "awaiting_c2" && this.pending.length >= HANDSHAKE_SIZE) {
      const rest = this.pending.subarray(HANDSHAKE_SIZE);
      this.pending = Buffer.alloc(0);
      this.stateValue = "done";
      return { reply, rest };
    }
    return { reply, rest: Buffer.alloc(0) };
  }

  private answer(c0c1: Buffer): Buffer {
    if (c0c1[0] !== RTMP_VERSION) {
      this.stateValue = "failed";
      throw new HandshakeVersionError(`client asked for RTMP version ${c0c1[0]}, only 3 is served`);
    }
    const c1 = Buffer.from(c0c1.subarray(1));
    const found = findDigest(c1, PLAYER_KEY_PARTIAL);
    const s1 = Buffer.alloc(HANDSHAKE_SIZE);
    randomFillSync(s1, 8);
    let s2: Buffer;
    if (found) {
      this.kindValue = "digest";
      this.schemeValue = found.scheme;
      SERVER_VERSION.copy(s1, 4);
      imprintDigest(s1, found.scheme, SERVER_KEY_PARTIAL);
      s2 = randomFillSync(Buffer.alloc(HANDSHAKE_SIZE));
      signResponse(s2, found.digest, SERVER_KEY);
    } else {
      this.kindValue = "plain";
      s2 = c1;
    }
    return Buffer.concat([Buffer.from([RTMP_VERSION]), s1, s2]);
  }
}
