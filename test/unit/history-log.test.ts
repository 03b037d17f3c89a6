// The history ring in a real SQLite store: newest first, capped at 1,000 with a bounded number of
// keys, two writers (two nodes) that never lose each other's entries, batches from the recorder,
// nothing written for a subject that is gone, and deletion.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type HistoryEntry,
  HistoryLog,
  MAX_ENTRIES,
  SEGMENT_ENTRIES,
} from "../../node/history/history-log.js";
import { HistoryRecorder } from "../../node/history/history-recorder.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";

let dir: string;
let store: SqliteStore;
let gone: Set<string>;
const exists = async (subject: string) => !gone.has(subject);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "streamwell-history-"));
  store = SqliteStore.open(join(dir, "store.db"));
  gone = new Set();
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const entry = (n: number, node = "n1"): HistoryEntry => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  state: `s${n}`,
  error: null,
  node,
});

describe("HistoryLog", () => {
  it("reads newest first", async () => {
    const log = new HistoryLog(store, exists);
    await log.append("rs_a", [entry(1), entry(2)]);
    await log.append("rs_a", [entry(3)]);
    expect((await log.read("rs_a")).map((e) => e.state)).toEqual(["s3", "s2", "s1"]);
    expect(await log.read("rs_other")).toEqual([]);
  });

  it("keeps the newest 1,000 in a bounded number of keys", async () => {
    const log = new HistoryLog(store, exists);
    const total = 2_600;
    for (let n = 0; n < total; n += 10)
      await log.append(
        "rs_a",
        Array.from({ length: 10 }, (_, i) => entry(n + i)),
      );
    const read = await log.read("rs_a");
    expect(read).toHaveLength(MAX_ENTRIES);
    expect(read[0]?.state).toBe(`s${total - 1}`);
    expect(read.at(-1)?.state).toBe(`s${total - MAX_ENTRIES}`);
    const keys = await store.list("history.rs_a.");
    expect(keys.length).toBe(MAX_ENTRIES / SEGMENT_ENTRIES + 1);
    expect(keys.every((k) => JSON.stringify(k.value).length < 5_000)).toBe(true);
  });

  it("two writers (two nodes) interleaving never lose an entry", async () => {
    const a = new HistoryLog(store, exists);
    const b = new HistoryLog(store, exists);
    const writer = async (log: HistoryLog, node: string, odd: number) => {
      for (let n = odd; n < 120; n += 2) await log.append("rs_a", [entry(n, node)]);
    };
    await Promise.all([writer(a, "a", 1), writer(b, "b", 0)]);
    const read = await a.read("rs_a");
    expect(read).toHaveLength(120);
    expect(new Set(read.map((e) => e.state)).size).toBe(120);
  });

  it("writes nothing for a subject that is gone, and removes every key on request", async () => {
    const log = new HistoryLog(store, exists);
    gone.add("rs_gone");
    await log.append("rs_gone", [entry(1)]);
    expect(await store.list("history.rs_gone.")).toEqual([]);
    for (let n = 0; n < 60; n += 1) await log.append("rs_a", [entry(n)]);
    await log.remove("rs_a");
    expect(await store.list("history.rs_a.")).toEqual([]);
    gone.add("rs_a");
    await log.append("rs_a", [entry(99)]);
    expect(await store.list("history.rs_a.")).toEqual([]);
  });
});

describe("HistoryRecorder", () => {
  it("batches changes into one write per subject, drops repeats, and keeps errors with their reason", async () => {
    const log = new HistoryLog(store, exists);
    const recorder = new HistoryRecorder(log, "n1", { warn: () => {} }, 60_000);
    const revision = (await store.put("probe", 1)) + 1;
    recorder.record("rs_a", "awaiting_stream");
    recorder.record("rs_a", "error", { code: "destination_rejected", message: "key rejected" });
    recorder.record("rs_a", "error", { code: "destination_rejected", message: "key rejected" });
    recorder.record("rs_a", "streaming");
    recorder.record("ch_b", "live");
    await recorder.flush();
    // One create per subject: two writes, whatever the number of changes.
    expect((await store.put("probe", 2)) - revision).toBe(2);
    const read = await log.read("rs_a");
    expect(read.map((e) => e.state)).toEqual(["streaming", "error", "awaiting_stream"]);
    expect(read[1]).toMatchObject({
      node: "n1",
      error: { code: "destination_rejected", message: "key rejected" },
    });
    expect((await log.read("ch_b")).map((e) => e.state)).toEqual(["live"]);
  });
});
