// The digest ("complex", Flash Player 9+) handshake: a C1/S1 packet carries an HMAC-SHA256
// of itself at an offset derived from its own bytes, and C2/S2 is signed with a key derived
// from the peer's digest. No encryption: this only proves "genuine" Flash software. Flash,
// ffmpeg, librtmp and some hardware encoders send a digested C1 and some check S1/S2.
// Shared by the server handshake (./handshake.ts) and, later, the push client.
import { createHmac } from "node:crypto";

export const HANDSHAKE_SIZE = 1536;
export const DIGEST_SIZE = 32;

const KEY_TAIL = Buffer.from("f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae", "hex");
/** "Genuine Adobe Flash Player 001" + 32 bytes: clients sign C1 with its first 30 bytes. */
export const PLAYER_KEY: Buffer = Buffer.concat([Buffer.from("Genuine Adobe Flash Player 001"), KEY_TAIL]);
export const PLAYER_KEY_PARTIAL: Buffer = PLAYER_KEY.subarray(0, 30);
/** "Genuine Adobe Flash Media Server 001" + 32 bytes: servers sign S1 with its first 36 bytes. */
export const SERVER_KEY: Buffer = Buffer.concat([
  Buffer.from("Genuine Adobe Flash Media Server 001"),
  KEY_TAIL,
]);
export const SERVER_KEY_PARTIAL: Buffer = SERVER_KEY.subarray(0, 36);

/**
 * Where the 764-byte digest block sits. Scheme 0: at byte 8 (the offset is the sum of bytes
 * 8..11; what ffmpeg and librtmp clients write). Scheme 1: at byte 772 (sum of bytes
 * 772..775). SRS names these the other way round (its "schema1" is our 0).
 */
export type DigestScheme = 0 | 1;

export interface FoundDigest {
  readonly scheme: DigestScheme;
  readonly offset: number;
  readonly digest: Buffer;
}

/** Offset of the 32-byte digest inside a 1536-byte C1/S1 packet for that scheme. */
export function digestOffset(packet: Buffer, scheme: DigestScheme): number {
  const base = scheme === 0 ? 8 : 772;
  const sum =
    (packet[base] ?? 0) + (packet[base + 1] ?? 0) + (packet[base + 2] ?? 0) + (packet[base + 3] ?? 0);
  return (sum % 728) + base + 4;
}

/** HMAC-SHA256 of the packet without the 32 digest bytes at `offset`. */
export function computeDigest(packet: Buffer, offset: number, key: Buffer): Buffer {
  return createHmac("sha256", key)
    .update(packet.subarray(0, offset))
    .update(packet.subarray(offset + DIGEST_SIZE, HANDSHAKE_SIZE))
    .digest();
}

/** The digest of a C1 (key PLAYER_KEY_PARTIAL) or S1 (SERVER_KEY_PARTIAL), or null: a plain packet. */
export function findDigest(packet: Buffer, key: Buffer): FoundDigest | null {
  if (packet.length < HANDSHAKE_SIZE) return null;
  for (const scheme of [0, 1] as const) {
    const offset = digestOffset(packet, scheme);
    const digest = computeDigest(packet, offset, key);
    if (digest.equals(packet.subarray(offset, offset + DIGEST_SIZE))) return { scheme, offset, digest };
  }
  return null;
}

/** Writes the digest into a C1/S1 packet (filled with time, version and random bytes first). */
export function imprintDigest(packet: Buffer, scheme: DigestScheme, key: Buffer): FoundDigest {
  const offset = digestOffset(packet, scheme);
  const digest = computeDigest(packet, offset, key);
  digest.copy(packet, offset);
  return { scheme, offset, digest };
}

/**
 * The signature that ends a C2/S2: HMAC(HMAC(fullKey, peerDigest), packet[0..1504]). A server
 * signs S2 with SERVER_KEY and the C1 digest; a client signs C2 with PLAYER_KEY and the S1 digest.
 */
export function responseSignature(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): Buffer {
  const key = createHmac("sha256", fullKey).update(peerDigest).digest();
  return createHmac("sha256", key)
    .update(packet.subarray(0, HANDSHAKE_SIZE - DIGEST_SIZE))
    .digest();
}

/** Fills the last 32 bytes of a C2/S2 packet with its signature. */
export function signResponse(packet: Buffer, peerDigest: Buffer, fullKey: Buffer): void {
  responseSignature(packet, peerDigest, fullKey).copy(packet, HANDSHAKE_SIZE - DIGEST_SIZE);
}

/** Whether a C2/S2 was signed over our own digest (what a client checks on S2). */
export function verifyResponse(packet: Buffer, ourDigest: Buffer, fullKey: Buffer): boolean {
  if (packet.length < HANDSHAKE_SIZE) return false;
  return responseSignature(packet, ourDigest, fullKey).equals(packet.subarray(HANDSHAKE_SIZE - DIGEST_SIZE));
}
