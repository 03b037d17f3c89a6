// Where the node's secret key comes from: STREAMWELL_SECRET_KEY (base64 of 32 bytes), else the
// file STREAMWELL_SECRET_KEY_FILE names (the same base64 text), else, on a single node only,
// `secret.key` in the data dir, made (0600) on first start. Nodes of a mesh share one store, so
// they must share one key: with NATS the config refuses to start without one rather than make one.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StreamwellError } from "../defs/errors.js";
import { SECRET_KEY_BYTES, Sealer } from "./sealer.js";

export class SecretKeyError extends StreamwellError {}

export interface SecretKeySettings {
  readonly secretKey?: string | undefined;
  readonly secretKeyFile?: string | undefined;
  /** Keys replaced by a rotation: they still open what they sealed until it is sealed again. */
  readonly secretKeyPrevious?: readonly string[] | undefined;
  readonly dataDir: string;
}

export const SECRET_KEY_FILE_NAME = "secret.key";

/** A new key as the environment variable and the key file hold it. */
export function newSecretKeyText(): string {
  return randomBytes(SECRET_KEY_BYTES).toString("base64");
}

export function loadSealer(settings: SecretKeySettings): { sealer: Sealer; source: string } {
  const { text, source } = keyText(settings);
  const key = decodeKey(text, source);
  const previous = (settings.secretKeyPrevious ?? []).map((old) =>
    decodeKey(old, "STREAMWELL_SECRET_KEY_PREVIOUS"),
  );
  return { sealer: new Sealer(key, previous), source };
}

function keyText(settings: SecretKeySettings): { text: string; source: string } {
  if (settings.secretKey) return { text: settings.secretKey, source: "STREAMWELL_SECRET_KEY" };
  if (settings.secretKeyFile)
    return { text: readKeyFile(settings.secretKeyFile), source: settings.secretKeyFile };
  // The config refuses a mesh without a key (config/schema.ts): only a single node gets here.
  const path = join(settings.dataDir, SECRET_KEY_FILE_NAME);
  try {
    // "wx": two nodes starting on one data dir at once cannot both make a key; the loser reads it.
    writeFileSync(path, `${newSecretKeyText()}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return { text: readKeyFile(path), source: path };
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    throw new SecretKeyError(
      `cannot read the secret key file ${path} (${(error as NodeJS.ErrnoException).code})`,
    );
  }
}

function decodeKey(text: string, source: string): Buffer {
  const key = Buffer.from(text, "base64");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== SECRET_KEY_BYTES) {
    throw new SecretKeyError(
      `the secret key in ${source} must be ${SECRET_KEY_BYTES} bytes in base64 (make one with: openssl rand -base64 32)`,
    );
  }
  return key;
}
