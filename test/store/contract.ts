// The behaviour every Store adapter must share. An adapter's test file calls storeContract with a
// factory that opens an empty store. Watch events may arrive asynchronously (JetStream), so the suite
// waits for them instead of expecting them by the time a write resolves.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type Entry,
  InvalidKeyError,
  InvalidValueError,
  KeyExistsError,
  RevisionMismatchError,
  type Store,
  StoreError,
  type WatchEvent,
} from "../../node/store/store.js";

export interface OpenedStore {
  store: Store;
  cleanup: () => Promise<void>;
}

const WAIT_MS = 5000;

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function summary(entries: Entry[]): [string, unknown][] {
  return entries.map((e) => [e.key, e.value]);
}

function eventKey(event: WatchEvent): string {
  return event.op === "put" ? event.entry.key : event.key;
}

function eventRevision(event: WatchEvent): number {
  return event.op === "put" ? event.entry.revision : event.revision;
}

export function storeContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(name, () => {
    let opened: OpenedStore;
    let store: Store;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.cleanup();
    });

    it("round-trips nested JSON through put and get", async () => {
      const value = { name: "ch", tags: ["a", "b"], nested: { n: 1.5, ok: true, none: null }, empty: {} };
      const revision = await store.put("channels.ch_1", value);
      expect(revision).toBeGreaterThan(0);
      expect(await store.get("channels.ch_1")).toEqual({ key: "channels.ch_1", value, revision });
      for (const scalar of ["text", 0, false, null, [1, [2]]]) {
        await store.put("scalar", scalar);
        expect((await store.get("scalar"))?.value).toEqual(scalar);
      }
    });

    it("returns undefined for an absent key", async () => {
      expect(await store.get("nothing.here")).toBeUndefined();
    });

    it("does not keep a reference to the written object", async () => {
      const value = { n: 1 };
      await store.put("k", value);
      value.n = 2;
      expect((await store.get("k"))?.value).toEqual({ n: 1 });
    });

    it("hands out strictly increasing revisions across keys and operations", async () => {
      const revisions = [
        await store.put("a", 1),
        await store.put("b", 1),
        await store.put("a", 2),
        await store.create("c", 1),
      ];
      revisions.push(await store.update("b", 2, revisions[1] as number));
      await store.delete("c");
      revisions.push(await store.put("c", 2));
      revisions.push(await store.put("d", 1));
      for (let i = 1; i < revisions.length; i += 1) {
        expect(revisions[i]).toBeGreaterThan(revisions[i - 1] as number);
      }
      expect((await store.get("a"))?.revision).toBe(revisions[2]);
      expect((await store.get("b"))?.revision).toBe(revisions[4]);
    });

    it("never reuses the revision of a deleted newest entry", async () => {
      const deleted = await store.put("x", 1);
      await store.delete("x");
      expect(await store.put("x", 2)).toBeGreaterThan(deleted);
      expect(await store.put("y", 1)).toBeGreaterThan(deleted);
    });

    it("creates once, then throws KeyExistsError and keeps the first value", async () => {
      const revision = await store.create("users.u1", { name: "first" });
      await expect(store.create("users.u1", { name: "second" })).rejects.toBeInstanceOf(KeyExistsError);
      expect(await store.get("users.u1")).toEqual({ key: "users.u1", value: { name: "first" }, revision });
    });

    it("creates again after the key was deleted", async () => {
      await store.create("k", 1);
      await store.delete("k");
      const revision = await store.create("k", 2);
      expect(await store.get("k")).toEqual({ key: "k", value: 2, revision });
    });

    it("updates with the current revision and refuses a stale one", async () => {
      const first = await store.put("k", "v1");
      const second = await store.update("k", "v2", first);
      expect(second).toBeGreaterThan(first);
      expect(await store.get("k")).toEqual({ key: "k", value: "v2", revision: second });

      await expect(store.update("k", "v3", first)).rejects.toBeInstanceOf(RevisionMismatchError);
      expect(await store.get("k")).toEqual({ key: "k", value: "v2", revision: second });
    });

    it("refuses to update an absent or deleted key", async () => {
      await expect(store.update("absent", 1, 1)).rejects.toBeInstanceOf(RevisionMismatchError);
      const revision = await store.put("gone", 1);
      await store.delete("gone");
      await expect(store.update("gone", 2, revision)).rejects.toBeInstanceOf(RevisionMismatchError);
      expect(await store.get("absent")).toBeUndefined();
      expect(await store.get("gone")).toBeUndefined();
    });

    it("deletes without a revision, and deleting an absent key is a no-op", async () => {
      await store.put("k", 1);
      await store.put("other", 1);
      await store.delete("k");
      expect(await store.get("k")).toBeUndefined();
      await expect(store.delete("k")).resolves.toBeUndefined();
      await expect(store.delete("never")).resolves.toBeUndefined();
      expect(summary(await store.list(""))).toEqual([["other", 1]]);
    });

    it("deletes with the current revision only", async () => {
      const first = await store.put("k", 1);
      const second = await store.put("k", 2);
      await expect(store.delete("k", first)).rejects.toBeInstanceOf(RevisionMismatchError);
      expect(await store.get("k")).toEqual({ key: "k", value: 2, revision: second });
      await store.delete("k", second);
      expect(await store.get("k")).toBeUndefined();
      await expect(store.delete("k", second)).rejects.toBeInstanceOf(RevisionMismatchError);
      await expect(store.delete("never", 1)).rejects.toBeInstanceOf(RevisionMismatchError);
    });

    it("lists by prefix, ordered by key, without sibling prefixes", async () => {
      for (const key of [
        "channels.b",
        "channelsX",
        "channels.a",
        "channels",
        "chan",
        "users.a",
        "channels.a.z",
      ]) {
        await store.put(key, key);
      }
      expect((await store.list("channels.")).map((e) => e.key)).toEqual([
        "channels.a",
        "channels.a.z",
        "channels.b",
      ]);
      expect((await store.list("channels")).map((e) => e.key)).toEqual([
        "channels",
        "channels.a",
        "channels.a.z",
        "channels.b",
        "channelsX",
      ]);
      expect((await store.list("channels.a")).map((e) => e.key)).toEqual(["channels.a", "channels.a.z"]);
      expect(await store.list("nothing.")).toEqual([]);

      const all = await store.list("");
      expect(all.map((e) => e.key)).toEqual([
        "chan",
        "channels",
        "channels.a",
        "channels.a.z",
        "channels.b",
        "channelsX",
        "users.a",
      ]);
      for (const entry of all) expect(entry).toEqual(await store.get(entry.key));
    });

    it("rejects invalid keys and prefixes with InvalidKeyError and writes nothing", async () => {
      const revision = await store.put("ok", "kept");
      const badKeys = ["", ".", "a..b", "a b", "a/b", "a*", "a>", ".a", "a.", "ä", "a\nb"];
      for (const key of badKeys) {
        await expect(store.get(key), key).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.put(key, 1), key).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.create(key, 1), key).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.update(key, 1, revision), key).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.delete(key), key).rejects.toBeInstanceOf(InvalidKeyError);
      }
      for (const prefix of [".", "a..", ".a", "a b", "a*", "a/"]) {
        await expect(store.list(prefix), prefix).rejects.toBeInstanceOf(InvalidKeyError);
        expect(() => store.watch(prefix, () => {}), prefix).toThrow(InvalidKeyError);
      }
      expect(await store.list("")).toEqual([{ key: "ok", value: "kept", revision }]);
      // Nothing consumed a revision worth noticing either: the next write still succeeds normally.
      expect(await store.put("ok", "next")).toBeGreaterThan(revision);
    });

    it("accepts every character the key pattern allows", async () => {
      const key = "Az09_=-.x-y_z=w";
      const revision = await store.put(key, 1);
      expect(await store.get(key)).toEqual({ key, value: 1, revision });
    });

    it("rejects non-JSON values with InvalidValueError and keeps the stored value", async () => {
      const revision = await store.put("k", { good: true });
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      for (const value of [10n, { n: 1n }, circular, undefined, () => 1, Symbol("s")]) {
        await expect(store.put("k", value)).rejects.toBeInstanceOf(InvalidValueError);
        await expect(store.update("k", value, revision)).rejects.toBeInstanceOf(InvalidValueError);
        await expect(store.create("new", value)).rejects.toBeInstanceOf(InvalidValueError);
      }
      expect(await store.list("")).toEqual([{ key: "k", value: { good: true }, revision }]);
    });

    it("lets exactly one of concurrent updates at the same revision win", async () => {
      const revision = await store.put("counter", 0);
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => store.update("counter", i + 1, revision)),
      );
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [{ i, revision: r.value }] : []));
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === "rejected") expect(r.reason).toBeInstanceOf(RevisionMismatchError);
      }
      const winner = won[0] as { i: number; revision: number };
      expect(await store.get("counter")).toEqual({
        key: "counter",
        value: winner.i + 1,
        revision: winner.revision,
      });
    });

    it("lets exactly one of concurrent creates win", async () => {
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.create("once", i)));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results) {
        if (r.status === "rejected") expect(r.reason).toBeInstanceOf(KeyExistsError);
      }
    });

    it("watches puts, updates and deletes under its prefix, in revision order", async () => {
      await store.put("channels.before", 0);
      const events: WatchEvent[] = [];
      const unwatch = store.watch("channels.", (event) => events.push(event));
      try {
        const r1 = await store.put("channels.a", { v: 1 });
        await store.put("channelsX", "sibling");
        await store.put("users.a", "outside");
        const r2 = await store.update("channels.a", { v: 2 }, r1);
        const r3 = await store.create("channels.b", { v: 3 });
        // Failed writes are not events.
        await expect(store.update("channels.a", { v: 9 }, r1)).rejects.toBeInstanceOf(RevisionMismatchError);
        await expect(store.create("channels.b", { v: 9 })).rejects.toBeInstanceOf(KeyExistsError);
        await store.delete("channels.absent");
        await store.delete("channels.a", r2);
        await store.delete("channels.b");
        const r6 = await store.put("channels.c", "last");

        await waitFor(() => events.some((e) => eventKey(e) === "channels.c"), "the last event");
        expect(events.slice(0, 3)).toEqual([
          { op: "put", entry: { key: "channels.a", value: { v: 1 }, revision: r1 } },
          { op: "put", entry: { key: "channels.a", value: { v: 2 }, revision: r2 } },
          { op: "put", entry: { key: "channels.b", value: { v: 3 }, revision: r3 } },
        ]);
        expect(events.slice(3, 5).map((e) => [e.op, eventKey(e)])).toEqual([
          ["delete", "channels.a"],
          ["delete", "channels.b"],
        ]);
        expect(events[5]).toEqual({ op: "put", entry: { key: "channels.c", value: "last", revision: r6 } });
        expect(events).toHaveLength(6);
        const revisions = events.map(eventRevision);
        for (let i = 1; i < revisions.length; i += 1) {
          expect(revisions[i]).toBeGreaterThan(revisions[i - 1] as number);
        }
        expect(revisions[3]).toBeGreaterThan(r3);
        expect(revisions[4]).toBeLessThan(r6);
      } finally {
        unwatch();
      }
    });

    it("watches everything with the empty prefix", async () => {
      const keys: string[] = [];
      const unwatch = store.watch("", (event) => keys.push(eventKey(event)));
      try {
        await store.put("a", 1);
        await store.put("b.c", 1);
        await store.delete("a");
        await waitFor(() => keys.length >= 3, "three events");
        expect(keys).toEqual(["a", "b.c", "a"]);
      } finally {
        unwatch();
      }
    });

    it("delivers nothing after unwatch", async () => {
      const stopped: WatchEvent[] = [];
      const kept: WatchEvent[] = [];
      const unwatchStopped = store.watch("k", (event) => stopped.push(event));
      const unwatchKept = store.watch("k", (event) => kept.push(event));
      try {
        await store.put("k", 1);
        await waitFor(() => stopped.length === 1 && kept.length === 1, "the first event");
        unwatchStopped();
        unwatchStopped();
        await store.put("k", 2);
        await store.delete("k");
        // Once the still-subscribed watcher has both later events, the other one would have had them too.
        await waitFor(() => kept.length === 3, "the later events");
        expect(stopped).toHaveLength(1);
      } finally {
        unwatchKept();
      }
    });

    it("keeps writing and notifying others when a watcher throws", async () => {
      const seen: string[] = [];
      const unwatchThrowing = store.watch("", () => {
        throw new Error("watcher failure (expected by this test)");
      });
      const unwatchOk = store.watch("", (event) => seen.push(eventKey(event)));
      try {
        const revision = await store.put("a", 1);
        expect(await store.update("a", 2, revision)).toBeGreaterThan(revision);
        await expect(store.delete("a")).resolves.toBeUndefined();
        await store.put("b", 1);
        await waitFor(() => seen.length >= 4, "four events");
        expect(seen).toEqual(["a", "a", "a", "b"]);
        expect(summary(await store.list(""))).toEqual([["b", 1]]);
      } finally {
        unwatchThrowing();
        unwatchOk();
      }
    });

    it("answers ping while open", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("rejects every call with StoreError after close, and closes twice", async () => {
      await store.put("k", 1);
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
      const calls: [string, () => Promise<unknown>][] = [
        ["get", () => store.get("k")],
        ["put", () => store.put("k", 2)],
        ["create", () => store.create("n", 1)],
        ["update", () => store.update("k", 2, 1)],
        ["delete", () => store.delete("k")],
        ["list", () => store.list("")],
        ["ping", () => store.ping()],
      ];
      for (const [what, call] of calls) await expect(call(), what).rejects.toBeInstanceOf(StoreError);
      expect(() => store.watch("", () => {})).toThrow(StoreError);
    });
  });
}
