// Password hashes: scrypt from node:crypto, parameters stored with each hash so they can be
// raised later without breaking old hashes. Format: scrypt$N$r$p$salt$hash (base64url).
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64url"), key.toString("base64url")].join(
    "$",
  );
}

/** Parameters we would ever have written; anything else is a damaged hash, not a reason to throw. */
function storedParams(n = "", r = "", p = ""): ScryptOptions | undefined {
  const [N, R, P] = [Number(n), Number(r), Number(p)];
  if (!Number.isInteger(Math.log2(N)) || N < 2 ** 10 || N > 2 ** 17) return undefined;
  if (!(R >= 1 && R <= 32 && P >= 1 && P <= 16)) return undefined;
  return { N, r: R, p: P, maxmem: 256 * N * R + 1024 * 1024 };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  const params = storedParams(n, r, p);
  if (scheme !== "scrypt" || !params || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await derive(password, Buffer.from(salt, "base64url"), params);
  return key.length === expected.length && timingSafeEqual(key, expected);
}
