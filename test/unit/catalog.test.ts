import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Catalog } from "../../node/catalog/catalog.js";
import { USE_IN_FLIGHT_MS } from "../../node/catalog/destinations.js";
import {
  type ChannelRecord,
  type DestinationRecord,
  keys,
  type RestreamRecord,
} from "../../node/catalog/records.js";
import {
  ConflictError,
  FeatureDisabledError,
  NotFoundError,
  ValidationFailedError,
} from "../../node/defs/errors.js";
import { statusesOf } from "../../node/restreams/statuses.js";
import { mutate } from "../../node/store/mutate.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";

const RTMP_URL = "rtmp://a.rtmp.youtube.com/live2";
const SRT_URL = "srt://ingest.example.com:9000";

let dir: string;
let store: SqliteStore;
let catalog: Catalog;
/** The owner of the channels `channel()` makes: a real user, made on first use (quotas read the owner). */
let ownerId: string | undefined;

const HOME = { nodeId: "n1", host: "127.0.0.1" };

beforeEach(() => {
  ownerId = undefined;
  dir = mkdtempSync(join(tmpdir(), "streamwell-catalog-"));
  store = SqliteStore.open(join(dir, "store.db"));
  catalog = new Catalog(store, {
    srtPorts: { from: 9000, to: 9002 },
    sessionTtlMs: 3_600_000,
    home: HOME,
  });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The SRT ports held in the store, with their owners. */
async function heldPorts(): Promise<Record<number, string>> {
  const held: Record<number, string> = {};
  for (const entry of await store.list<{ owner: string }>("ports.srt.")) {
    held[Number(entry.key.slice("ports.srt.".length))] = entry.value.owner;
  }
  return held;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

async function channel(srtIngest = false, name = "main"): Promise<ChannelRecord> {
  ownerId ??= (await catalog.users.create({ username: "owner", password: "owner-password", role: "user" }))
    .id;
  return catalog.channels.create({ name, ownerId, srtIngest });
}

describe("users", () => {
  it("creates a user with a hashed password", async () => {
    const user = await catalog.users.create({ username: "alice", password: "alice-password", role: "user" });
    expect(user.id).toMatch(/^us_[A-Za-z0-9_-]{16}$/);
    expect(user).toMatchObject({ username: "alice", role: "user" });
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    expect(await catalog.users.get(user.id)).toEqual(user);
    expect((await catalog.users.list()).map((u) => u.username)).toEqual(["alice"]);
  });

  it("refuses a duplicate name, case-insensitively", async () => {
    await catalog.users.create({ username: "alice", password: "alice-password", role: "user" });
    await expect(
      catalog.users.create({ username: "alice", password: "other-password", role: "admin" }),
    ).rejects.toThrow(ConflictError);
    await expect(
      catalog.users.create({ username: "ALICE", password: "other-password", role: "user" }),
    ).rejects.toThrow(ConflictError);
    expect(await catalog.users.list()).toHaveLength(1);
  });

  it("authenticates right, wrong and unknown", async () => {
    const user = await catalog.users.create({ username: "alice", password: "alice-password", role: "user" });
    expect((await catalog.users.authenticate("alice", "alice-password"))?.id).toBe(user.id);
    expect(await catalog.users.authenticate("alice", "wrong-password")).toBeUndefined();
    expect(await catalog.users.authenticate("bob", "alice-password")).toBeUndefined();
  });

  it("does not delete or demote the last admin", async () => {
    const admin = await catalog.users.create({ username: "root", password: "root-password", role: "admin" });
    await catalog.users.create({ username: "alice", password: "alice-password", role: "user" });
    const deleted = await rejection(catalog.users.delete(admin.id));
    expect(deleted).toBeInstanceOf(ConflictError);
    expect(deleted.message).toContain("last admin");
    const demoted = await rejection(catalog.users.update(admin.id, { role: "user" }));
    expect(demoted).toBeInstanceOf(ConflictError);
    expect(demoted.message).toContain("last admin");
    expect((await catalog.users.get(admin.id)).role).toBe("admin");
  });

  it("demotes and deletes an admin once another exists", async () => {
    const first = await catalog.users.create({ username: "root", password: "root-password", role: "admin" });
    const second = await catalog.users.create({
      username: "alice",
      password: "alice-password",
      role: "user",
    });
    await catalog.users.update(second.id, { role: "admin" });
    expect((await catalog.users.update(first.id, { role: "user" })).role).toBe("user");
    await expect(catalog.users.update(second.id, { role: "user" })).rejects.toThrow(ConflictError);
    await catalog.users.delete(first.id);
    await expect(catalog.users.get(first.id)).rejects.toThrow(NotFoundError);
    // the name is free again
    await catalog.users.create({ username: "root", password: "root-password", role: "user" });
  });

  it("changes a password", async () => {
    const user = await catalog.users.create({ username: "alice", password: "alice-password", role: "user" });
    await catalog.users.update(user.id, { password: "new-password" });
    expect(await catalog.users.authenticate("alice", "alice-password")).toBeUndefined();
    expect((await catalog.users.authenticate("alice", "new-password"))?.id).toBe(user.id);
  });

  it("ensureAdmin creates admin once, then returns false", async () => {
    expect(await catalog.users.ensureAdmin("first-password")).toBe(true);
    expect(await catalog.users.ensureAdmin("second-password")).toBe(false);
    const users = await catalog.users.list();
    expect(users.map((u) => [u.username, u.role])).toEqual([["admin", "admin"]]);
    expect(await catalog.users.authenticate("admin", "first-password")).toBeDefined();
    expect(await catalog.users.authenticate("admin", "second-password")).toBeUndefined();
  });

  it("deleteUser refuses a channel owner and ends the user's sessions", async () => {
    await catalog.users.create({ username: "root", password: "root-password", role: "admin" });
    const alice = await catalog.users.create({ username: "alice", password: "alice-password", role: "user" });
    const owned = await catalog.channels.create({ name: "a", ownerId: alice.id, srtIngest: false });
    const { token } = await catalog.sessions.issue(alice.id);
    const refused = await rejection(catalog.deleteUser(alice.id));
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused.message).toContain(owned.id);
    await catalog.deleteChannel(owned.id);
    await catalog.deleteUser(alice.id);
    expect(await catalog.sessions.resolve(token)).toBeUndefined();
    await expect(catalog.users.get(alice.id)).rejects.toThrow(NotFoundError);
  });
});

describe("channels", () => {
  it("creates a channel without SRT ingest: no port", async () => {
    const ch = await channel(false);
    expect(ch.id).toMatch(/^ch_/);
    expect(ch.srt).toBeNull();
    expect(ch.streamKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await heldPorts()).toEqual({});
  });

  it("creates channels with SRT ingest on the lowest free ports in range", async () => {
    const a = await channel(true, "a");
    const b = await channel(true, "b");
    expect(a.srt?.port).toBe(9000);
    expect(b.srt?.port).toBe(9001);
    expect(a.srt?.passphrase).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a.srt?.passphrase).not.toBe(b.srt?.passphrase);
    expect(await heldPorts()).toEqual({ 9000: `channel:${a.id}`, 9001: `channel:${b.id}` });
  });

  it("update srtIngest off releases the port so it can be reallocated", async () => {
    const a = await channel(true, "a");
    await channel(true, "b");
    const updated = await catalog.channels.update(a.id, { srtIngest: false });
    expect(updated.srt).toBeNull();
    expect((await catalog.channels.get(a.id)).srt).toBeNull();
    expect(Object.keys(await heldPorts())).toEqual(["9001"]);
    const c = await channel(true, "c");
    expect(c.srt?.port).toBe(9000);
  });

  it("update srtIngest on allocates a port; a rename keeps it", async () => {
    const a = await channel(false);
    const on = await catalog.channels.update(a.id, { srtIngest: true });
    expect(on.srt?.port).toBe(9000);
    const renamed = await catalog.channels.update(a.id, { name: "renamed" });
    expect(renamed.name).toBe("renamed");
    expect(renamed.srt).toEqual(on.srt);
    const again = await catalog.channels.update(a.id, { srtIngest: true });
    expect(again.srt).toEqual(on.srt);
    expect(await heldPorts()).toEqual({ 9000: `channel:${a.id}` });
  });

  it("resetStreamKey changes key and passphrase, keeps the port", async () => {
    const a = await channel(true);
    const reset = await catalog.channels.resetStreamKey(a.id);
    expect(reset.streamKey).not.toBe(a.streamKey);
    expect(reset.srt?.port).toBe(a.srt?.port);
    expect(reset.srt?.passphrase).not.toBe(a.srt?.passphrase);
    expect(await catalog.channels.get(a.id)).toEqual(reset);
    const plain = await channel(false, "plain");
    const plainReset = await catalog.channels.resetStreamKey(plain.id);
    expect(plainReset.srt).toBeNull();
    expect(plainReset.streamKey).not.toBe(plain.streamKey);
  });

  it("refuses SRT ingest when the range is full", async () => {
    await channel(true, "a");
    await channel(true, "b");
    await channel(true, "c");
    await expect(channel(true, "d")).rejects.toThrow(ConflictError);
    expect(await catalog.channels.list()).toHaveLength(3);
  });
});

describe("restreams", () => {
  it("remote_playback restreams allocate ports; a full range is a ConflictError naming it", async () => {
    const ch = await channel(false);
    const made: RestreamRecord[] = [];
    for (const name of ["p1", "p2", "p3"]) {
      made.push(await catalog.createRestream(ch.id, { kind: "remote_playback", name }));
    }
    expect(made.map((r) => (r.kind === "remote_playback" ? r.port : null))).toEqual([9000, 9001, 9002]);
    expect(made.every((r) => r.desired === "stopped")).toBe(true);
    const full = await rejection(catalog.createRestream(ch.id, { kind: "remote_playback", name: "p4" }));
    expect(full).toBeInstanceOf(ConflictError);
    expect(full.message).toContain("9000-9002");
    expect(await catalog.restreams.list()).toHaveLength(3);

    await catalog.restreams.delete(made[1]!.id);
    expect(Object.keys(await heldPorts())).toEqual(["9000", "9002"]);
    const again = await catalog.createRestream(ch.id, { kind: "remote_playback", name: "p4" });
    expect(again.kind === "remote_playback" && again.port).toBe(9001);
  });

  it("SRT ingest and remote playback share the range", async () => {
    const ch = await channel(true);
    const rp = await catalog.createRestream(ch.id, { kind: "remote_playback", name: "p" });
    expect(rp.kind === "remote_playback" && rp.port).toBe(9001);
    expect(await heldPorts()).toEqual({ 9000: `channel:${ch.id}`, 9001: `restream:${rp.id}` });
  });

  it("destination and srt_push restreams take no port", async () => {
    const ch = await channel(false);
    const ds = await catalog.destinations.create({ name: "yt", url: RTMP_URL, insecureSkipVerify: false });
    await catalog.createRestream(ch.id, {
      kind: "destination",
      name: "d",
      destinationId: ds.id,
      streamKey: "k",
    });
    await catalog.createRestream(ch.id, { kind: "srt_push", name: "s", url: SRT_URL });
    expect(await heldPorts()).toEqual({});
  });

  it("createRestream on an unknown channel -> NotFoundError", async () => {
    await expect(
      catalog.createRestream("ch_missing", { kind: "remote_playback", name: "p" }),
    ).rejects.toThrow(NotFoundError);
    expect(await heldPorts()).toEqual({});
  });

  it("createRestream with an unknown destination -> ValidationFailedError on destinationId", async () => {
    const ch = await channel(false);
    const error = await rejection(
      catalog.createRestream(ch.id, {
        kind: "destination",
        name: "d",
        destinationId: "ds_missing",
        streamKey: "k",
      }),
    );
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).fields).toEqual({ destinationId: "no destination ds_missing" });
    expect(await catalog.restreams.list()).toEqual([]);
  });

  it("addRestream with the channel in hand reads the destination once, by its compare-and-set write", async () => {
    const ch = await channel(false);
    const ds = await catalog.destinations.create({ name: "yt", url: RTMP_URL, insecureSkipVerify: false });
    const gets: string[] = [];
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name !== "get") return typeof value === "function" ? value.bind(target) : value;
        return (key: string) => {
          gets.push(key);
          return target.get(key);
        };
      },
    });
    const reading = new Catalog(counted, { srtPorts: { from: 9000, to: 9002 }, sessionTtlMs: 1, home: HOME });
    const { restream, destination } = await reading.addRestream(ch, {
      kind: "destination",
      destinationId: ds.id,
      streamKey: "k",
    });
    // Each read is a round trip on a mesh: the channel is the caller's, the destination read once.
    expect(gets.filter((key) => key.startsWith("channels."))).toEqual([]);
    expect(gets.filter((key) => key.startsWith("destinations."))).toEqual([keys.destination(ds.id)]);
    expect(destination).toEqual(ds);
    expect(restream).toEqual(await catalog.restreams.get(restream.id));
    expect(restream.name).toBe("yt");
  });

  it("addRestream to an SRT destination while srt is off -> FeatureDisabledError, its use dropped", async () => {
    const ch = await channel(false);
    const ds = await catalog.destinations.create({ name: "srt", url: SRT_URL, insecureSkipVerify: false });
    await catalog.setFeatures({ srt: false });
    const input = { kind: "destination", destinationId: ds.id, streamKey: "k" } as const;
    await expect(catalog.addRestream(ch, input)).rejects.toThrow(FeatureDisabledError);
    expect((await store.get<DestinationRecord>(keys.destination(ds.id)))?.value.uses).toEqual({});
    expect(await catalog.restreams.list()).toEqual([]);
  });

  it("updateRestream refuses fields that do not fit the kind", async () => {
    const ch = await channel(false);
    const ds = await catalog.destinations.create({ name: "yt", url: RTMP_URL, insecureSkipVerify: false });
    const dest = await catalog.createRestream(ch.id, {
      kind: "destination",
      name: "d",
      destinationId: ds.id,
      streamKey: "k",
    });
    const error = await rejection(catalog.updateRestream(dest.id, { url: SRT_URL }));
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect(Object.keys((error as ValidationFailedError).fields)).toEqual(["url"]);
    expect(await catalog.restreams.get(dest.id)).toEqual(dest);

    const push = await catalog.createRestream(ch.id, { kind: "srt_push", name: "s", url: SRT_URL });
    const pushError = await rejection(catalog.updateRestream(push.id, { streamKey: "k", name: "n" }));
    expect(Object.keys((pushError as ValidationFailedError).fields)).toEqual(["streamKey"]);

    const rp = await catalog.createRestream(ch.id, { kind: "remote_playback", name: "p" });
    const rpError = await rejection(catalog.updateRestream(rp.id, { destinationId: ds.id, url: SRT_URL }));
    expect(Object.keys((rpError as ValidationFailedError).fields).sort()).toEqual(["destinationId", "url"]);
  });

  it("updateRestream applies fitting fields and checks a new destination", async () => {
    const ch = await channel(false);
    const ds = await catalog.destinations.create({ name: "yt", url: RTMP_URL, insecureSkipVerify: false });
    const dest = await catalog.createRestream(ch.id, {
      kind: "destination",
      name: "d",
      destinationId: ds.id,
      streamKey: "k",
    });
    const updated = await catalog.updateRestream(dest.id, { name: "renamed", streamKey: "k2" });
    expect(updated).toMatchObject({ name: "renamed", streamKey: "k2", destinationId: ds.id });
    const error = await rejection(catalog.updateRestream(dest.id, { destinationId: "ds_missing" }));
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).fields.destinationId).toContain("ds_missing");
  });

  it("each write of a restream counts one more revision, in the same write (views use it to tell the newer)", async () => {
    const ch = await channel(false);
    const push = await catalog.createRestream(ch.id, { kind: "srt_push", name: "s", url: SRT_URL });
    expect(push.revision).toBe(1);
    expect((await catalog.updateRestream(push.id, { name: "renamed" })).revision).toBe(2);
    await rejection(catalog.updateRestream(push.id, { streamKey: "k" }));
    expect((await catalog.startRestream(push.id)).revision).toBe(3);
    await catalog.updateRestream(push.id, {
      schedule: { stopAt: new Date(Date.now() + 1_000).toISOString() },
    });
    const stopped = await catalog.applySchedule(push.id, Date.now() + 2_000);
    expect(stopped).toMatchObject({ desired: "stopped", revision: 5 });
    expect((await catalog.restreams.get(push.id)).revision).toBe(5);
  });

  it("deleteChannel removes its restreams and ports, not others'", async () => {
    const ch = await channel(true, "doomed");
    const other = await channel(false, "other");
    const ds = await catalog.destinations.create({ name: "yt", url: RTMP_URL, insecureSkipVerify: false });
    await catalog.createRestream(ch.id, { kind: "remote_playback", name: "p" });
    await catalog.createRestream(ch.id, {
      kind: "destination",
      name: "d",
      destinationId: ds.id,
      streamKey: "k",
    });
    const kept = await catalog.createRestream(other.id, { kind: "remote_playback", name: "kept" });
    expect(Object.keys(await heldPorts())).toEqual(["9000", "9001", "9002"]);

    await catalog.deleteChannel(ch.id);
    await expect(catalog.channels.get(ch.id)).rejects.toThrow(NotFoundError);
    expect(await catalog.restreams.listByChannel(ch.id)).toEqual([]);
    expect((await catalog.restreams.list()).map((r) => r.id)).toEqual([kept.id]);
    expect(await heldPorts()).toEqual({ 9002: `restream:${kept.id}` });
    // the destination is free now
    await catalog.deleteDestination(ds.id);
  });

  it("deleteChannel of an unknown channel -> NotFoundError", async () => {
    await expect(catalog.deleteChannel("ch_missing")).rejects.toThrow(NotFoundError);
  });
});

describe("destinations", () => {
  it("a destination in use cannot be deleted; the error names the restream", async () => {
    const ch = await channel(false);
    const ds = await catalog.destinations.create({ name: "yt", url: RTMP_URL, insecureSkipVerify: false });
    const r1 = await catalog.createRestream(ch.id, {
      kind: "destination",
      name: "d1",
      destinationId: ds.id,
      streamKey: "k",
    });
    expect(await catalog.usedBy(ds.id)).toEqual([r1.id]);
    const error = await rejection(catalog.deleteDestination(ds.id));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain(r1.id);
    expect(error.message).toContain(ds.id);
    expect(await catalog.destinations.get(ds.id)).toEqual(ds);

    await catalog.deleteRestream(r1.id);
    await catalog.deleteDestination(ds.id);
    await expect(catalog.destinations.get(ds.id)).rejects.toThrow(NotFoundError);
  });

  it("keeps only young uses in the destination's record, so it does not grow with every restream", async () => {
    const ch = await channel(false);
    const ds = await catalog.destinations.create({ name: "yt", url: RTMP_URL, insecureSkipVerify: false });
    const made = async (streamKey: string) =>
      (await catalog.createRestream(ch.id, { kind: "destination", destinationId: ds.id, streamKey })).id;
    const old = await made("k1");
    // The first use as if made long ago: its restream names the destination, the use is not needed.
    await mutate<DestinationRecord>(store, keys.destination(ds.id), (record) => ({
      ...record,
      uses: { [old]: Date.now() - USE_IN_FLIGHT_MS - 1 },
    }));
    const young = await made("k2");
    const uses = (await store.get<DestinationRecord>(keys.destination(ds.id)))?.value.uses ?? {};
    expect(Object.keys(uses)).toEqual([young]);
    // Both still count as users: the old one by its record.
    expect((await catalog.usedBy(ds.id)).sort()).toEqual([old, young].sort());
    await expect(catalog.deleteDestination(ds.id)).rejects.toThrow(ConflictError);
  });

  it("drops the use of a restream this node knows is written: 20 creations in a row leave one use", async () => {
    const ch = await channel(false);
    const ds = await catalog.destinations.create({ name: "yt", url: RTMP_URL, insecureSkipVerify: false });
    await catalog.restreams.known(); // the node's memory of the restreams, loaded
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const input = { kind: "destination", destinationId: ds.id, streamKey: `k${i}` } as const;
      ids.push((await catalog.createRestream(ch.id, input)).id);
    }
    const uses = (await store.get<DestinationRecord>(keys.destination(ds.id)))?.value.uses ?? {};
    expect(Object.keys(uses)).toEqual(ids.slice(-1));
    // Every one still counts as a user, by its record.
    expect((await catalog.usedBy(ds.id)).sort()).toEqual([...ids].sort());
    await expect(catalog.deleteDestination(ds.id)).rejects.toThrow(ConflictError);
  });

  it("deleteDestination of an unknown id -> NotFoundError", async () => {
    await expect(catalog.deleteDestination("ds_missing")).rejects.toThrow(NotFoundError);
  });
});

describe("features", () => {
  async function oneOfEach() {
    const ch = await channel(false);
    const rtmp = await catalog.destinations.create({
      name: "rtmp",
      url: RTMP_URL,
      insecureSkipVerify: false,
    });
    const srt = await catalog.destinations.create({ name: "srt", url: SRT_URL, insecureSkipVerify: false });
    const rtmpDest = await catalog.createRestream(ch.id, {
      kind: "destination",
      name: "rtmp",
      destinationId: rtmp.id,
      streamKey: "k",
    });
    const srtDest = await catalog.createRestream(ch.id, {
      kind: "destination",
      name: "srt",
      destinationId: srt.id,
      streamKey: "k",
    });
    const push = await catalog.createRestream(ch.id, { kind: "srt_push", name: "push", url: SRT_URL });
    const playback = await catalog.createRestream(ch.id, { kind: "remote_playback", name: "play" });
    return { ch, rtmp, srt, rtmpDest, srtDest, push, playback };
  }

  async function desired(): Promise<Record<string, string>> {
    return Object.fromEntries((await catalog.restreams.list()).map((r) => [r.name, r.desired]));
  }

  async function startAll(): Promise<void> {
    for (const r of await catalog.restreams.list()) {
      expect((await catalog.startRestream(r.id)).desired).toBe("started");
    }
  }

  it("defaults to everything on", async () => {
    expect(await catalog.features.get()).toEqual({ restreaming: true, srt: true });
  });

  it("setFeatures({restreaming: false}) stops every started restream", async () => {
    await oneOfEach();
    await startAll();
    expect(await catalog.setFeatures({ restreaming: false })).toEqual({ restreaming: false, srt: true });
    expect(await desired()).toEqual({ rtmp: "stopped", srt: "stopped", push: "stopped", play: "stopped" });
    expect(await catalog.features.get()).toEqual({ restreaming: false, srt: true });
  });

  it("setFeatures({srt: false}) stops only SRT restreams", async () => {
    await oneOfEach();
    await startAll();
    expect(await catalog.setFeatures({ srt: false })).toEqual({ restreaming: true, srt: false });
    expect(await desired()).toEqual({ rtmp: "started", srt: "stopped", push: "stopped", play: "stopped" });
  });

  it("setFeatures leaves stopped restreams stopped and turning back on starts nothing", async () => {
    const { rtmpDest } = await oneOfEach();
    await catalog.setFeatures({ restreaming: false });
    await catalog.setFeatures({ restreaming: true });
    expect((await catalog.restreams.get(rtmpDest.id)).desired).toBe("stopped");
  });

  it("startRestream while a needed feature is off -> FeatureDisabledError", async () => {
    const { rtmpDest, srtDest, push, playback } = await oneOfEach();
    await catalog.setFeatures({ srt: false });
    for (const r of [srtDest, push, playback]) {
      const error = await rejection(catalog.startRestream(r.id));
      expect(error).toBeInstanceOf(FeatureDisabledError);
      expect(error.message).toContain("srt");
      expect((await catalog.restreams.get(r.id)).desired).toBe("stopped");
    }
    expect((await catalog.startRestream(rtmpDest.id)).desired).toBe("started");

    await catalog.setFeatures({ srt: true, restreaming: false });
    const error = await rejection(catalog.startRestream(srtDest.id));
    expect(error).toBeInstanceOf(FeatureDisabledError);
    expect(error.message).toContain("restreaming");
    await expect(catalog.startRestream(rtmpDest.id)).rejects.toThrow(FeatureDisabledError);
  });

  it("createRestream of an SRT kind while srt is off -> FeatureDisabledError, no port taken", async () => {
    const ch = await channel(false);
    await catalog.setFeatures({ srt: false });
    await expect(catalog.createRestream(ch.id, { kind: "remote_playback", name: "p" })).rejects.toThrow(
      FeatureDisabledError,
    );
    await expect(
      catalog.createRestream(ch.id, { kind: "srt_push", name: "s", url: SRT_URL }),
    ).rejects.toThrow(FeatureDisabledError);
    expect(await heldPorts()).toEqual({});
    expect(await catalog.restreams.list()).toEqual([]);
  });

  it("statusesOf stops what a switch turned off needs, by the destination's scheme", async () => {
    const { rtmpDest, srtDest, push, playback } = await oneOfEach();
    // As if started: statusesOf derives from the records it is given.
    const started = [rtmpDest, srtDest, push, playback].map((r) => ({ ...r, desired: "started" as const }));
    const states = async () =>
      (await statusesOf(catalog, started, () => undefined)).map((s) => s.status.state);
    expect(await states()).toEqual([
      "awaiting_stream",
      "awaiting_stream",
      "awaiting_stream",
      "awaiting_stream",
    ]);
    await catalog.setFeatures({ srt: false });
    expect(await states()).toEqual(["awaiting_stream", "stopped", "stopped", "stopped"]);
    await catalog.setFeatures({ srt: true, restreaming: false });
    expect(await states()).toEqual(["stopped", "stopped", "stopped", "stopped"]);
  });
});
