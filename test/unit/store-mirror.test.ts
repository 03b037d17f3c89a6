import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../node/store/sqlite-store.js";
import type { Entry, Store, Unwatch, WatchEvent } from "../../node/store/store.js";
import { StoreMirror } from "../../node/store/store-mirror.js";

/** A SQLite store whose change feed is held until flush(): a slow feed, as NATS's can be. */
class HeldFeed implements Store {
  private readonly held: (() => void)[] = [];
  constructor(readonly inner: SqliteStore) {}
  get = <T>(key: string) => this.inner.get<T>(key);
  put = (key: string, value: unknown) => this.inner.put(key, value);
  create = (key: string, value: unknown) => this.inner.create(key, value);
  update = (key: string, value: unknown, revision: number) => this.inner.update(key, value, revision);
  delete = (key: string, revision?: number) => this.inner.delete(key, revision);
  list = <T>(prefix: string): Promise<Entry<T>[]> => this.inner.list<T>(prefix);
  ping = () => this.inner.ping();
  close = () => this.inner.close();
  watch(prefix: string, onEvent: (event: WatchEvent) => void): Unwatch {
    return this.inner.watch(prefix, (event) => this.held.push(() => onEvent(event)));
  }
  flush(): void {
    for (const deliver of this.held.splice(0)) deliver();
  }
}

let dir: string;
let feed: HeldFeed;
let mirror: StoreMirror;

const shown = async () =>
  Object.fromEntries((await mirror.listMirrored<{ v: number }>()).map((e) => [e.key, e.value.v]));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "streamwell-mirror-"));
  feed = new HeldFeed(SqliteStore.open(join(dir, "s.db")));
  mirror = new StoreMirror(feed, "r.");
  await feed.put("r.old", { v: 0 });
  await feed.put("other", { v: 9 });
  await mirror.listMirrored(); // loaded: the watch, then one list
});

afterEach(async () => {
  await mirror.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("StoreMirror", () => {
  it("shows this node's writes at once, before the feed delivers them, and ignores other prefixes", async () => {
    await mirror.create("r.a", { v: 1 });
    const { revision } = (await mirror.get<{ v: number }>("r.a")) as Entry;
    await mirror.update("r.a", { v: 2 }, revision);
    await mirror.put("other", { v: 10 });
    await mirror.delete("r.old");
    expect(await shown()).toEqual({ "r.a": 2 });
  });

  it("never lets an older event from the feed take a newer write back", async () => {
    await mirror.create("r.a", { v: 1 });
    await mirror.put("r.a", { v: 2 });
    feed.flush(); // delivers v1 then v2, both already superseded or equal
    expect(await shown()).toEqual({ "r.old": 0, "r.a": 2 });
  });

  it("keeps a key it deleted gone while older writes of it still come through the feed", async () => {
    await feed.put("r.old", { v: 5 }); // another node's write, still in the feed
    await mirror.delete("r.old");
    expect(await shown()).toEqual({});
    feed.flush(); // the older put, then the deletion
    expect(await shown()).toEqual({});
  });

  it("shows other nodes' writes when the feed delivers them", async () => {
    await feed.put("r.b", { v: 7 });
    expect(await shown()).toEqual({ "r.old": 0 });
    feed.flush();
    expect(await shown()).toEqual({ "r.old": 0, "r.b": 7 });
    await feed.delete("r.b");
    feed.flush();
    expect(await shown()).toEqual({ "r.old": 0 });
  });
});
