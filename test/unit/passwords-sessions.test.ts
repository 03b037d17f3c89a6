import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../../node/auth/passwords.js";
import { Sessions } from "../../node/catalog/sessions.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

// A real hash of "pw", taken apart to build malformed variants.
const [, , , , salt, hash] = (await hashPassword("pw")).split("$");

describe("passwords", () => {
  it("hashes as scrypt$16384$8$1$salt$hash", async () => {
    const stored = await hashPassword("correct horse");
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain("correct horse");
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const stored = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct horsE", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts: two hashes of one password differ and both verify", async () => {
    const a = await hashPassword("same password");
    const b = await hashPassword("same password");
    expect(a).not.toBe(b);
    expect(a.split("$")[4]).not.toBe(b.split("$")[4]);
    expect(await verifyPassword("same password", a)).toBe(true);
    expect(await verifyPassword("same password", b)).toBe(true);
  });

  it("handles a non-ASCII password", async () => {
    const stored = await hashPassword("pässwörd-🔑");
    expect(await verifyPassword("pässwörd-🔑", stored)).toBe(true);
    expect(await verifyPassword("passwörd-🔑", stored)).toBe(false);
  });

  describe("malformed stored hash -> false", () => {
    it.each([
      ["empty", ""],
      ["no separators", "garbage"],
      ["other scheme", `bcrypt$16384$8$1$${salt}$${hash}`],
      ["missing hash", `scrypt$16384$8$1$${salt}`],
      ["empty salt and hash", "scrypt$16384$8$1$$"],
      ["truncated hash", `scrypt$16384$8$1$${salt}$${hash?.slice(0, 10)}`],
      ["wrong hash", `scrypt$16384$8$1$${salt}$${"A".repeat(43)}`],
      ["non-numeric N", `scrypt$abc$8$1$${salt}$${hash}`],
      ["N not a power of two", `scrypt$1000$8$1$${salt}$${hash}`],
      ["N beyond the memory limit", `scrypt$1048576$8$1$${salt}$${hash}`],
    ])("%s", async (_what, stored) => {
      await expect(verifyPassword("pw", stored)).resolves.toBe(false);
    });
  });
});

describe("Sessions", () => {
  const TTL = 60_000;
  let dir: string;
  let store: SqliteStore;
  let clock: number;
  let sessions: Sessions;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "streamwell-sessions-"));
    store = SqliteStore.open(join(dir, "store.db"));
    clock = Date.parse("2030-01-01T00:00:00.000Z");
    sessions = new Sessions(store, TTL, () => clock);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("issues a token that resolves to the user", async () => {
    const { token, expiresAt } = await sessions.issue("us_a");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe("2030-01-01T00:01:00.000Z");
    expect(await sessions.resolve(token)).toBe("us_a");
  });

  it("issues a different token every time", async () => {
    const a = await sessions.issue("us_a");
    const b = await sessions.issue("us_a");
    expect(a.token).not.toBe(b.token);
    expect(await sessions.resolve(a.token)).toBe("us_a");
    expect(await sessions.resolve(b.token)).toBe("us_a");
  });

  it("stores only the SHA-256 of the token", async () => {
    const { token, expiresAt } = await sessions.issue("us_a");
    const entries = await store.list("sessions.");
    expect(entries).toHaveLength(1);
    expect(entries[0]?.key).toBe(`sessions.${sha256(token)}`);
    expect(entries[0]?.value).toEqual({ userId: "us_a", expiresAt });
    for (const entry of await store.list("")) {
      expect(entry.key).not.toContain(token);
      expect(JSON.stringify(entry.value)).not.toContain(token);
    }
  });

  it("resolves an unknown token to undefined", async () => {
    await sessions.issue("us_a");
    expect(await sessions.resolve("not-a-token")).toBeUndefined();
  });

  it("is live until the last millisecond, then expired and deleted", async () => {
    const { token } = await sessions.issue("us_a");
    clock += TTL - 1;
    expect(await sessions.resolve(token)).toBe("us_a");
    clock += 1;
    expect(await sessions.resolve(token)).toBeUndefined();
    expect(await store.get(`sessions.${sha256(token)}`)).toBeUndefined();
    expect(await store.list("sessions.")).toEqual([]);
    clock -= TTL; // back in time: it stays gone
    expect(await sessions.resolve(token)).toBeUndefined();
  });

  it("revoke ends one session only", async () => {
    const a = await sessions.issue("us_a");
    const b = await sessions.issue("us_a");
    await sessions.revoke(a.token);
    expect(await sessions.resolve(a.token)).toBeUndefined();
    expect(await sessions.resolve(b.token)).toBe("us_a");
    await expect(sessions.revoke(a.token)).resolves.toBe(sha256(a.token)); // twice: no error
  });

  it("sweep deletes the expired sessions nobody presents again, and only those", async () => {
    const old = await sessions.issue("us_a");
    clock += TTL / 2;
    const young = await sessions.issue("us_b");
    clock += TTL / 2;
    expect(await sessions.sweep()).toBe(1);
    expect((await store.list("sessions.")).map((entry) => entry.key)).toEqual([
      `sessions.${sha256(young.token)}`,
    ]);
    expect(await store.get(`sessions.${sha256(old.token)}`)).toBeUndefined();
  });

  it("revokeUser ends the user's sessions but keepToken, and leaves other users", async () => {
    const a1 = await sessions.issue("us_a");
    const a2 = await sessions.issue("us_a");
    const a3 = await sessions.issue("us_a");
    const b = await sessions.issue("us_b");
    expect((await sessions.revokeUser("us_a", a2.token)).sort()).toEqual(
      [sha256(a1.token), sha256(a3.token)].sort(),
    );
    expect(await sessions.resolve(a1.token)).toBeUndefined();
    expect(await sessions.resolve(a2.token)).toBe("us_a");
    expect(await sessions.resolve(a3.token)).toBeUndefined();
    expect(await sessions.resolve(b.token)).toBe("us_b");
    expect((await store.list("sessions.")).map((e) => e.key).sort()).toEqual(
      [`sessions.${sha256(a2.token)}`, `sessions.${sha256(b.token)}`].sort(),
    );
  });

  it("revokeUser without keepToken ends every session of the user", async () => {
    const a1 = await sessions.issue("us_a");
    const a2 = await sessions.issue("us_a");
    const b = await sessions.issue("us_b");
    await sessions.revokeUser("us_a");
    expect(await sessions.resolve(a1.token)).toBeUndefined();
    expect(await sessions.resolve(a2.token)).toBeUndefined();
    expect(await sessions.resolve(b.token)).toBe("us_b");
  });
});
