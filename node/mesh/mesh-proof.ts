// Proof that a message between nodes comes from a holder of the mesh secret
// (STREAMWELL_MESH_SECRET): an HMAC-SHA256 over who sends it to whom, when, a random nonce and the
// message itself. A proof is good once, within CLOCK_SKEW_MS of the receiver's clock: the
// receiver remembers every nonce it accepted for as long as its time could still pass, so a
// captured message cannot be played again. Pure: services/mesh-gate.ts puts it on the wire.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** How far a sender's clock may be from the receiver's (nodes run NTP; this is generous). */
export const CLOCK_SKEW_MS = 30_000;
/** Bumped if what is signed ever changes, so old and new nodes refuse each other plainly. */
const SCHEME = "streamwell-mesh-1";

export interface Proof {
  /** The sender's clock, ms since the epoch. */
  readonly t: number;
  /** 16 random bytes, base64url. */
  readonly n: string;
  /** HMAC-SHA256, base64url. */
  readonly s: string;
}

/** What a proof covers besides its own time and nonce. */
export interface Signed {
  readonly namespace: string;
  /** The message's kind (a Moleculer packet type). */
  readonly kind: string;
  readonly sender: string;
  /** The one node it is for, or "*" for a message any node may receive. */
  readonly target: string;
  /** The message's body, serialised the same way on both sides. */
  readonly body: string;
}

export type Verdict = "ok" | "missing" | "malformed" | "stale" | "replayed" | "bad_signature";

export interface MeshProofOptions {
  /** Signs, and is accepted. */
  readonly secret: string;
  /** Accepted too, never used to sign: the old or the next secret while nodes roll over. */
  readonly alsoAccepted?: readonly string[];
  readonly now?: () => number;
}

export class MeshProof {
  private readonly now: () => number;
  private readonly keys: readonly Buffer[];
  private readonly nonces = new NonceMemory(2 * CLOCK_SKEW_MS);

  constructor(options: MeshProofOptions) {
    this.now = options.now ?? Date.now;
    this.keys = [options.secret, ...(options.alsoAccepted ?? [])].map((key) => Buffer.from(key, "utf8"));
  }

  sign(message: Signed): Proof {
    const t = this.now();
    const n = randomBytes(16).toString("base64url");
    return { t, n, s: mac(this.keys[0] as Buffer, message, t, n).toString("base64url") };
  }

  /** Checks a proof and, when good, spends its nonce. */
  verify(message: Signed, proof: unknown): Verdict {
    if (proof === undefined || proof === null) return "missing";
    if (!isProof(proof)) return "malformed";
    const now = this.now();
    if (Math.abs(now - proof.t) > CLOCK_SKEW_MS) return "stale";
    const given = Buffer.from(proof.s, "base64url");
    const matches = this.keys.some((key) => {
      const expected = mac(key, message, proof.t, proof.n);
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!matches) return "bad_signature";
    return this.nonces.remember(proof.n, now) ? "ok" : "replayed";
  }
}

function mac(key: Buffer, message: Signed, t: number, n: string): Buffer {
  const head = JSON.stringify([
    SCHEME,
    message.namespace,
    message.kind,
    message.sender,
    message.target,
    t,
    n,
  ]);
  return createHmac("sha256", key).update(head).update("\n").update(message.body).digest();
}

function isProof(value: unknown): value is Proof {
  const proof = value as Partial<Proof>;
  return (
    typeof value === "object" &&
    Number.isSafeInteger(proof.t) &&
    typeof proof.n === "string" &&
    proof.n.length <= 32 &&
    typeof proof.s === "string" &&
    proof.s.length <= 64
  );
}

/**
 * Nonces seen within the last `keepMs` at least: two generations, the older dropped whole each
 * `keepMs`, so memory follows the message rate and no timer or sweep is needed. A nonce is
 * kept between keepMs and twice that, and keepMs is twice the skew: a proof stamped up to the
 * skew ahead of the receiver is still remembered when it would be stale.
 */
class NonceMemory {
  private current = new Set<string>();
  private previous = new Set<string>();
  private rotatedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly keepMs: number) {}

  /** False when the nonce was seen already. */
  remember(nonce: string, now: number): boolean {
    if (now - this.rotatedAt >= this.keepMs) {
      this.previous = now - this.rotatedAt >= 2 * this.keepMs ? new Set() : this.current;
      this.current = new Set();
      this.rotatedAt = now;
    }
    if (this.current.has(nonce) || this.previous.has(nonce)) return false;
    this.current.add(nonce);
    return true;
  }
}
