import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiTokens, isApiToken } from "../../node/catalog/api-tokens.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";

const DAY = 86_400_000;

describe("ApiTokens", () => {
  let dir: string;
  let store: SqliteStore;
  let clock: number;
  let tokens: ApiTokens;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "streamwell-tokens-"));
    store = SqliteStore.open(join(dir, "store.db"));
    clock = Date.parse("2030-01-01T00:00:00.000Z");
    tokens = new ApiTokens(store, () => clock);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("makes swt.<id>.<secret>, keeps only its hash, and resolves it to its user", async () => {
    const { record, token } = await tokens.create("us_alice", { name: "CI" });
    expect(token).toMatch(/^swt\.tk_[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(isApiToken(token)).toBe(true);
    expect(record).toEqual({
      id: token.split(".")[1],
      userId: "us_alice",
      name: "CI",
      tokenHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      createdAt: "2030-01-01T00:00:00.000Z",
      expiresAt: null,
    });
    expect(await tokens.resolve(token)).toBe("us_alice");
    await store.close();
    const file = readFileSync(join(dir, "store.db")).toString("latin1");
    expect(file).not.toContain(token.split(".")[2]);
    store = SqliteStore.open(join(dir, "store.db"));
  });

  it.each([
    ["another secret for the same id", (t: string) => `${t.slice(0, -4)}AAAA`],
    ["no secret", (t: string) => t.split(".").slice(0, 2).join(".")],
    ["an id that is not one", () => "swt.tk_../x.secret"],
    ["a bare prefix", () => "swt."],
  ])("refuses %s", async (_what, forge) => {
    const { token } = await tokens.create("us_alice", { name: "CI" });
    expect(await tokens.resolve(forge(token))).toBeUndefined();
  });

  it("expires after expiresInDays, deleting the record on the way; sweep deletes the others", async () => {
    const short = await tokens.create("us_alice", { name: "A day", expiresInDays: 1 });
    const other = await tokens.create("us_bob", { name: "Also a day", expiresInDays: 1 });
    const forever = await tokens.create("us_alice", { name: "Forever" });
    expect(short.record.expiresAt).toBe("2030-01-02T00:00:00.000Z");
    clock += DAY - 1;
    expect(await tokens.resolve(short.token)).toBe("us_alice");
    clock += 1;
    expect(await tokens.resolve(short.token)).toBeUndefined();
    expect((await tokens.list("us_alice")).map((t) => t.name)).toEqual(["Forever"]);
    expect(await tokens.sweep()).toBe(1); // bob's
    expect(await tokens.list("us_bob")).toEqual([]);
    expect(await tokens.resolve(forever.token)).toBe("us_alice");
    expect(await tokens.resolve(other.token)).toBeUndefined();
  });

  it("lists a user's own, finds only their own, deletes, and revokes all of a user's", async () => {
    const a1 = await tokens.create("us_alice", { name: "One" });
    clock += 1;
    const a2 = await tokens.create("us_alice", { name: "Two" });
    const b1 = await tokens.create("us_bob", { name: "Bob's" });
    expect((await tokens.list("us_alice")).map((t) => t.name)).toEqual(["One", "Two"]);
    expect(await tokens.owned("us_alice", b1.record.id)).toBeUndefined();
    expect(await tokens.owned("us_bob", b1.record.id)).toMatchObject({ name: "Bob's" });
    expect(await tokens.delete(a1.record.id)).toBe(a1.record.tokenHash);
    expect(await tokens.delete(a1.record.id)).toBeUndefined();
    expect(await tokens.resolve(a1.token)).toBeUndefined();
    expect(await tokens.revokeUser("us_alice")).toEqual([a2.record.tokenHash]);
    expect(await tokens.resolve(a2.token)).toBeUndefined();
    expect(await tokens.resolve(b1.token)).toBe("us_bob");
  });
});
