// Secrets sealed at rest over the SQLite adapter: records an older version stored plain are sealed
// at start (also by two nodes at once), nothing plain is left in the database file or its WAL,
// readers see plain values, and a wrong key stops the start with a clear message.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Catalog } from "../../node/catalog/catalog.js";
import { SECRET_FIELDS } from "../../node/catalog/secret-fields.js";
import { Sealer } from "../../node/kit/sealer.js";
import { SecretKeyError } from "../../node/kit/secret-key.js";
import { checkSecretKey, sealStoredSecrets } from "../../node/store/seal-at-rest.js";
import { SealedStore } from "../../node/store/sealed-store.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";
import type { WatchEvent } from "../../node/store/store.js";

const STREAM_KEY = "plain-stream-key-from-an-old-version";
const PASSPHRASE = "plain-srt-passphrase-0123";
const DEST_KEY = "plain-destination-key-xyz";

let dir: string;
let raw: SqliteStore;
const firstKey = randomBytes(32);
const sealer = new Sealer(firstKey);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "streamwell-sealed-"));
  raw = SqliteStore.open(join(dir, "streamwell.db"));
});

afterEach(async () => {
  await raw.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The database and its WAL as bytes (latin1 keeps every byte), to grep like an attacker would. */
function onDisk(): string {
  const file = join(dir, "streamwell.db");
  const wal = (() => {
    try {
      return readFileSync(`${file}-wal`, "latin1");
    } catch {
      return "";
    }
  })();
  return readFileSync(file, "latin1") + wal;
}

async function writeOldRecords(): Promise<void> {
  const srt = { port: 9000, nodeId: "n1", host: "127.0.0.1", passphrase: PASSPHRASE };
  await raw.put("channels.ch_1", {
    id: "ch_1",
    name: "c",
    ownerId: "us_1",
    streamKey: STREAM_KEY,
    srt,
    createdAt: "t",
  });
  await raw.put("restreams.rs_1", {
    id: "rs_1",
    channelId: "ch_1",
    kind: "destination",
    destinationId: "ds_1",
    streamKey: DEST_KEY,
    name: "r",
    desired: "started",
    createdAt: "t",
  });
  await raw.put("destinations.ds_1", {
    id: "ds_1",
    name: "d",
    url: `srt://h:9000?passphrase=${PASSPHRASE}x`,
  });
}

describe("sealing at start", () => {
  it("seals plain records, leaves no plain copy in the file or the WAL, and reads them back plain", async () => {
    await writeOldRecords();
    expect(onDisk()).toContain(STREAM_KEY);
    const store = new SealedStore(raw, sealer, SECRET_FIELDS);
    await checkSecretKey(raw, sealer);
    expect(await sealStoredSecrets(raw, store)).toBe(3);
    raw.scrub();
    for (const secret of [STREAM_KEY, PASSPHRASE, DEST_KEY]) expect(onDisk()).not.toContain(secret);
    expect((await store.get<{ streamKey: string }>("channels.ch_1"))?.value.streamKey).toBe(STREAM_KEY);
    expect((await store.list<{ streamKey: string }>("restreams."))[0]?.value.streamKey).toBe(DEST_KEY);
    expect(await sealStoredSecrets(raw, store)).toBe(0); // idempotent
  });

  it("is safe when two nodes seal the same store at once", async () => {
    await writeOldRecords();
    const a = new SealedStore(raw, sealer, SECRET_FIELDS);
    const b = new SealedStore(raw, sealer, SECRET_FIELDS);
    await Promise.all([checkSecretKey(raw, sealer), checkSecretKey(raw, sealer)]);
    await Promise.all([sealStoredSecrets(raw, a), sealStoredSecrets(raw, b)]);
    const channel = await a.get<{ streamKey: string; srt: { passphrase: string } }>("channels.ch_1");
    expect(channel?.value.streamKey).toBe(STREAM_KEY);
    expect(channel?.value.srt.passphrase).toBe(PASSPHRASE);
    expect(JSON.stringify((await raw.list("")).map((e) => e.value))).not.toContain(STREAM_KEY);
  });

  it("refuses another key with a clear message naming both key ids, and changes nothing", async () => {
    await checkSecretKey(raw, sealer);
    const wrong = new Sealer(randomBytes(32));
    const before = await raw.list("");
    const error = await checkSecretKey(raw, wrong).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretKeyError);
    expect((error as Error).message).toContain(`key id ${wrong.keyId}`);
    expect((error as Error).message).toContain(`key id ${sealer.keyId}`);
    expect((error as Error).message).toMatch(/give every node the same STREAMWELL_SECRET_KEY/);
    expect(await raw.list("")).toEqual(before);
  });

  it("reseals what a previous key sealed after a rotation", async () => {
    const old = new SealedStore(raw, sealer, SECRET_FIELDS);
    await checkSecretKey(raw, sealer);
    await old.put("chains.ch_1.n2", { channelId: "ch_1", passphrase: PASSPHRASE });
    const rotatedKey = randomBytes(32);
    const rotated = new Sealer(rotatedKey, [randomBytes(32), firstKey]);
    const store = new SealedStore(raw, rotated, SECRET_FIELDS);
    await checkSecretKey(raw, rotated);
    expect(await sealStoredSecrets(raw, store)).toBe(1);
    const stored = (await raw.get<{ passphrase: string }>("chains.ch_1.n2"))?.value.passphrase ?? "";
    expect(stored.startsWith(`sealed:v1:${rotated.keyId}:`)).toBe(true);
    expect((await store.get<{ passphrase: string }>("chains.ch_1.n2"))?.value.passphrase).toBe(PASSPHRASE);
    await checkSecretKey(raw, new Sealer(rotatedKey)); // the check record moved to the new key too
  });
});

describe("SealedStore", () => {
  it("hands watchers plain values and stores sealed ones", async () => {
    const store = new SealedStore(raw, sealer, SECRET_FIELDS);
    const events: WatchEvent[] = [];
    const stop = store.watch("channels.", (event) => events.push(event));
    await store.put("channels.ch_2", { id: "ch_2", streamKey: STREAM_KEY, srt: null });
    stop();
    expect(events[0]?.op === "put" && events[0].entry.value).toEqual({
      id: "ch_2",
      streamKey: STREAM_KEY,
      srt: null,
    });
    expect(JSON.stringify((await raw.get("channels.ch_2"))?.value)).not.toContain(STREAM_KEY);
  });
});

describe("the stream key index", () => {
  /** A catalog over the sealed store, indexing stream keys by the sealer's keyed hash as a node does. */
  const sealedCatalog = () =>
    new Catalog(new SealedStore(raw, sealer, SECRET_FIELDS), {
      srtPorts: { from: 9000, to: 9001 },
      home: { nodeId: "n1", host: "127.0.0.1" },
      sessionTtlMs: 60_000,
      streamKeyDigest: (k) => sealer.digest("stream key index", k),
    });

  it("finds a channel by its key, follows a reset, forgets a deleted one, and is rebuilt by reindex", async () => {
    const catalog = sealedCatalog();
    const channel = await catalog.channels.create({ name: "c", ownerId: "us_1", srtIngest: true });
    expect((await catalog.channels.findByStreamKey(channel.streamKey))?.channel.id).toBe(channel.id);
    expect(await catalog.channels.findByStreamKey("not-a-key")).toBeUndefined();
    const reset = await catalog.channels.resetStreamKey(channel.id);
    expect(await catalog.channels.findByStreamKey(channel.streamKey)).toBeUndefined();
    expect((await catalog.channels.findByStreamKey(reset.streamKey))?.channel.id).toBe(channel.id);
    expect(await raw.list("streamkeys.")).toHaveLength(1);
    await raw.delete((await raw.list("streamkeys."))[0]?.key ?? "");
    await raw.put("streamkeys.stale", { channelId: channel.id });
    await catalog.channels.reindex();
    expect((await raw.list("streamkeys.")).map((e) => e.value)).toEqual([
      { channelId: channel.id, input: "primary" },
    ]);
    expect((await catalog.channels.findByStreamKey(reset.streamKey))?.channel.id).toBe(channel.id);
    await catalog.channels.delete(channel.id);
    expect(await raw.list("streamkeys.")).toEqual([]);
  });

  it("indexes a backup key as the channel's backup input, sealed at rest, until the backup is turned off", async () => {
    const catalog = sealedCatalog();
    const channel = await catalog.channels.create({
      name: "c",
      ownerId: "us_1",
      srtIngest: false,
      backup: true,
    });
    const backupKey = channel.backupStreamKey as string;
    expect(JSON.stringify(await raw.list("channels."))).not.toContain(backupKey);
    const found = await catalog.channels.findByStreamKey(backupKey);
    expect(found?.channel.id).toBe(channel.id);
    expect(found?.input).toBe("backup");
    expect((await catalog.channels.findByStreamKey(channel.streamKey))?.input).toBe("primary");
    await catalog.channels.update(channel.id, { backup: false });
    expect(await catalog.channels.findByStreamKey(backupKey)).toBeUndefined();
    expect(await raw.list("streamkeys.")).toHaveLength(1);
  });

  it("gives an SRT channel's backup a port and passphrase of its own, sealed at rest, released with the backup", async () => {
    const catalog = sealedCatalog();
    const channel = await catalog.channels.create({
      name: "c",
      ownerId: "us_1",
      srtIngest: true,
      backup: true,
    });
    const backup = channel.srtBackup;
    expect(backup?.port).toBe(9001);
    expect(backup?.passphrase).not.toBe(channel.srt?.passphrase);
    expect(JSON.stringify(await raw.list("channels."))).not.toContain(backup?.passphrase);
    const reset = await catalog.channels.resetStreamKey(channel.id);
    expect(reset.srtBackup?.port).toBe(9001);
    expect(reset.srtBackup?.passphrase).not.toBe(backup?.passphrase);
    const off = await catalog.channels.update(channel.id, { backup: false });
    expect(off.srtBackup).toBeNull();
    expect((await raw.list("ports.srt.")).map((entry) => entry.key)).toEqual(["ports.srt.9000"]);
    await catalog.channels.update(channel.id, { backup: true });
    await catalog.channels.delete(channel.id);
    expect(await raw.list("ports.srt.")).toEqual([]);
  });
});
