// Seals secrets at rest (stream keys, SRT passphrases, URLs that may hold them, webhook secrets):
// AES-256-GCM with the node's secret key (STREAMWELL_SECRET_KEY). A sealed value is one string,
// "sealed:v1:<key id>:<base64url(iv | ciphertext | tag)>", so it fits any JSON field. The key id
// names the key that sealed it: a node given a new key and its old one(s) opens both and seals with
// the new one, which is how a key is rotated. `context` (e.g. the store key and field) is bound in
// as associated data: a sealed value copied into another record does not open there.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { StreamwellError } from "../defs/errors.js";

const PREFIX = "sealed:v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_KEY_BYTES = 32;

/** A sealed value could not be opened: another key sealed it, or it was altered. */
export class SealError extends StreamwellError {}

export class Sealer {
  /** Names the key that seals: not secret (a hash), safe in logs and error messages. */
  readonly keyId: string;
  private readonly keys: Map<string, Buffer>;
  private readonly digestKeys = new Map<string, Buffer>();

  /** `key` seals and opens; `previous` keys only open (what a rotation left behind). */
  constructor(
    private readonly key: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    for (const k of [key, ...previous]) {
      if (k.length !== SECRET_KEY_BYTES)
        throw new SealError(`a secret key must be ${SECRET_KEY_BYTES} bytes`);
    }
    this.keyId = keyIdOf(key);
    this.keys = new Map([...previous, key].map((k) => [keyIdOf(k), k]));
  }

  static isSealed(value: unknown): value is string {
    return typeof value === "string" && value.startsWith(PREFIX);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([iv, cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${this.keyId}:${body.toString("base64url")}`;
  }

  open(sealed: string, context: string): string {
    const keyId = sealedKeyId(sealed);
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SealError(
        `a secret was sealed with key ${keyId}, which this node was not given (its key: ${this.keyId})`,
      );
    }
    const body = Buffer.from(sealed.slice(PREFIX.length + keyId.length + 1), "base64url");
    if (body.length < IV_BYTES + TAG_BYTES) throw new SealError(`a sealed secret (${context}) is truncated`);
    const decipher = createDecipheriv("aes-256-gcm", key, body.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch (cause) {
      throw new SealError(`a sealed secret (${context}) does not open with key ${keyId}: altered or moved`, {
        cause,
      });
    }
  }

  /** True when `sealed` was sealed with another key than the current one (a rotation reseals it). */
  isStale(sealed: string): boolean {
    return sealedKeyId(sealed) !== this.keyId;
  }

  /**
   * A keyed hash (HMAC-SHA-256, hex) of `text` under a key derived from the secret key for
   * `purpose`: an index that finds a record by its secret without storing the secret.
   */
  digest(purpose: string, text: string): string {
    let derived = this.digestKeys.get(purpose);
    if (!derived) {
      derived = Buffer.from(hkdfSync("sha256", this.key, Buffer.alloc(0), `streamwell ${purpose}`, 32));
      this.digestKeys.set(purpose, derived);
    }
    return createHmac("sha256", derived).update(text).digest("hex");
  }
}

function keyIdOf(key: Buffer): string {
  return createHash("sha256").update("streamwell key id\0").update(key).digest("hex").slice(0, 12);
}

function sealedKeyId(sealed: string): string {
  if (!Sealer.isSealed(sealed)) throw new SealError("not a sealed value");
  const end = sealed.indexOf(":", PREFIX.length);
  if (end < 0) throw new SealError("a sealed value has no key id");
  return sealed.slice(PREFIX.length, end);
}
