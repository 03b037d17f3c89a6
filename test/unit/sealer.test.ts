import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SealError, Sealer } from "../../node/kit/sealer.js";
import { loadSealer, SecretKeyError } from "../../node/kit/secret-key.js";

const key = randomBytes(32);

describe("Sealer", () => {
  const sealer = new Sealer(key);

  it("seals to a string that holds neither the secret nor its context, and opens it", () => {
    const sealed = sealer.seal("stream-key-123", "channels.ch_1#streamKey");
    expect(Sealer.isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain("stream-key-123");
    expect(sealed.startsWith(`sealed:v1:${sealer.keyId}:`)).toBe(true);
    expect(sealer.open(sealed, "channels.ch_1#streamKey")).toBe("stream-key-123");
    expect(sealer.seal("stream-key-123", "x")).not.toBe(sealer.seal("stream-key-123", "x")); // a fresh IV each time
  });

  it("refuses a value moved to another record, altered, or sealed by an unknown key", () => {
    const sealed = sealer.seal("secret-passphrase", "chains.a.b#passphrase");
    expect(() => sealer.open(sealed, "chains.a.c#passphrase")).toThrow(SealError);
    const flipped = `${sealed.slice(0, -2)}${sealed.endsWith("A") ? "B" : "A"}${sealed.slice(-1)}`;
    expect(() => sealer.open(flipped, "chains.a.b#passphrase")).toThrow(SealError);
    const other = new Sealer(randomBytes(32));
    expect(() => other.open(sealed, "chains.a.b#passphrase")).toThrow(
      /sealed with key [0-9a-f]{12}, which this node was not given/,
    );
  });

  it("opens what a previous key sealed, seals with the new one, and says what is stale", () => {
    const old = new Sealer(key);
    const rotated = new Sealer(randomBytes(32), [key]);
    const sealed = old.seal("k", "c");
    expect(rotated.open(sealed, "c")).toBe("k");
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(rotated.seal("k", "c"))).toBe(false);
    expect(rotated.keyId).not.toBe(old.keyId);
  });

  it("digests by purpose and key: stable for one key, different for another", () => {
    expect(sealer.digest("index", "k")).toBe(new Sealer(key).digest("index", "k"));
    expect(sealer.digest("index", "k")).not.toBe(sealer.digest("other", "k"));
    expect(sealer.digest("index", "k")).not.toBe(new Sealer(randomBytes(32)).digest("index", "k"));
  });
});

describe("loadSealer", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "streamwell-key-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("makes secret.key (0600) on a single node's first start and reuses it", () => {
    const first = loadSealer({ dataDir: dir });
    expect(first.source).toBe(join(dir, "secret.key"));
    expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(join(dir, "secret.key"), "utf8").trim(), "base64")).toHaveLength(32);
    expect(loadSealer({ dataDir: dir }).sealer.keyId).toBe(first.sealer.keyId);
  });

  it("takes the key from the setting or a file, and refuses a malformed one without echoing it", () => {
    const text = key.toString("base64");
    expect(loadSealer({ dataDir: dir, secretKey: text }).sealer.keyId).toBe(new Sealer(key).keyId);
    writeFileSync(join(dir, "k"), `${text}\n`);
    expect(loadSealer({ dataDir: dir, secretKeyFile: join(dir, "k") }).sealer.keyId).toBe(
      new Sealer(key).keyId,
    );
    const short = randomBytes(16).toString("base64");
    expect(() => loadSealer({ dataDir: dir, secretKey: short })).toThrow(SecretKeyError);
    expect(() => loadSealer({ dataDir: dir, secretKey: short })).not.toThrow(short);
    expect(() => loadSealer({ dataDir: dir, secretKeyFile: join(dir, "missing") })).toThrow(
      /cannot read the secret key file/,
    );
  });
});
