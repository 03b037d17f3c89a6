// Identifiers and secrets, all from crypto.randomBytes, URL-safe and store-key-safe.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export type IdPrefix = "us" | "ch" | "ds" | "rs" | "tk" | "wh";

/** 96 random bits: unique, short enough to read in a URL or a log line. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}

/** A channel's stream key: 192 random bits (the ingest path carries it). */
export function newStreamKey(): string {
  return randomBytes(24).toString("base64url");
}

/** An SRT passphrase: 32 characters, within libsrt's 10-79. */
export function newPassphrase(): string {
  return randomBytes(24).toString("base64url");
}

/** A session token: 256 random bits; only its hash is stored. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
