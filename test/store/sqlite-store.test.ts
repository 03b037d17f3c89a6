import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import ts from "typescript";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../node/store/sqlite-store.js";
import { storeContract } from "./contract.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

storeContract("SqliteStore", async () => {
  const dir = await mkdtemp(join(tmpdir(), "streamwell-store-"));
  // Swallow what the contract's throwing watcher raises instead of printing process warnings.
  const store = SqliteStore.open(join(dir, "store.db"), { onWatchError: () => {} });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe("SqliteStore on disk", () => {
  let dir: string;
  let file: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "streamwell-store-"));
    file = join(dir, "nested", "deeper", "store.db");
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  function open(): SqliteStore {
    const store = SqliteStore.open(file);
    cleanups.push(() => store.close());
    return store;
  }

  it("creates the parent directory and uses WAL with synchronous NORMAL", async () => {
    const store = open();
    await store.put("k", 1);
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.prepare("SELECT key, value, revision FROM entries").all()).toEqual([
        { key: "k", value: "1", revision: 1 },
      ]);
    } finally {
      db.close();
    }
    // synchronous is per connection, so it is read back from the store's own handle.
    const reopened = open();
    const handle = (reopened as unknown as { db: Database.Database }).db;
    expect(handle.pragma("synchronous", { simple: true })).toBe(1);
    expect(handle.pragma("busy_timeout", { simple: true })).toBeGreaterThan(0);
  });

  it("keeps data and the revision counter across close and reopen", async () => {
    const first = open();
    await first.put("channels.a", { name: "a" });
    const b = await first.put("channels.b", { name: "b" });
    const newest = await first.put("channels.c", { name: "c" });
    await first.delete("channels.c");
    await first.close();

    const second = open();
    expect(await second.list("channels.")).toEqual([
      { key: "channels.a", value: { name: "a" }, revision: 1 },
      { key: "channels.b", value: { name: "b" }, revision: b },
    ]);
    // The deleted entry held the highest revision; neither it nor its delete's revision comes back.
    expect(await second.put("channels.d", 1)).toBe(newest + 2);
    await expect(second.update("channels.b", 2, b)).resolves.toBeGreaterThan(newest + 2);
  });

  it("rolls back the whole write when SQLite fails inside the transaction", async () => {
    const store = open();
    const revision = await store.put("k", "safe");
    await store.close();
    const db = new Database(file);
    db.exec(`CREATE TRIGGER poison BEFORE UPDATE ON entries WHEN NEW.value = '"poison"'
             BEGIN SELECT RAISE(ABORT, 'poisoned'); END`);
    db.close();

    const reopened = open();
    const events: unknown[] = [];
    reopened.watch("", (event) => events.push(event));
    await expect(reopened.put("k", "poison")).rejects.toThrow("poisoned");
    expect(await reopened.get("k")).toEqual({ key: "k", value: "safe", revision });
    expect(events).toEqual([]);
    // The counter bump was rolled back with the failed write.
    expect(await reopened.put("other", 1)).toBe(revision + 1);
  });

  it("reports a watcher's exception to onWatchError", async () => {
    const errors: unknown[] = [];
    const store = SqliteStore.open(file, { onWatchError: (error) => errors.push(error) });
    cleanups.push(() => store.close());
    const boom = new Error("boom");
    store.watch("", () => {
      throw boom;
    });
    await store.put("k", 1);
    expect(errors).toEqual([boom]);
  });

  it("delivers a watcher's own writes after the current event, keeping revision order", async () => {
    const store = open();
    const seen: [string, number][] = [];
    store.watch("", (event) => {
      if (event.op === "put" && event.entry.key === "trigger") void store.put("echo", 1);
    });
    store.watch("", (event) => {
      seen.push([
        event.op === "put" ? event.entry.key : event.key,
        event.op === "put" ? event.entry.revision : 0,
      ]);
    });
    await store.put("trigger", 1);
    expect(seen).toEqual([
      ["trigger", 1],
      ["echo", 2],
    ]);
  });

  it("does not call a watcher that another watcher removed during the same event", async () => {
    const store = open();
    const late: unknown[] = [];
    store.watch("", () => unwatchLate());
    const unwatchLate = store.watch("", (event) => late.push(event));
    await store.put("k", 1);
    expect(late).toEqual([]);
  });

  describe("after the writing process is killed", () => {
    let child: ChildProcess | undefined;
    let buildDir: string | undefined;

    afterEach(async () => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      child = undefined;
      if (buildDir) {
        await rm(buildDir, { recursive: true, force: true });
        // Only if this test created it and nothing else lives there.
        await rmdir(dirname(buildDir)).catch(() => {});
      }
      buildDir = undefined;
    });

    it("still has every write that resolved before SIGKILL", async () => {
      // No TS loader in a plain child: transpile the adapter next to node_modules so that the bare
      // "better-sqlite3" import resolves, and run the real SqliteStore in the child.
      buildDir = join(ROOT, "node_modules", ".cache", `streamwell-test-${randomUUID()}`);
      for (const source of ["node/defs/errors.ts", "node/store/store.ts", "node/store/sqlite-store.ts"]) {
        const output = ts.transpileModule(await readFile(join(ROOT, source), "utf8"), {
          compilerOptions: {
            module: ts.ModuleKind.ESNext,
            target: ts.ScriptTarget.ES2022,
            verbatimModuleSyntax: true,
          },
        });
        const target = join(buildDir, source.replace(/\.ts$/, ".js"));
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, output.outputText);
      }
      await writeFile(join(buildDir, "package.json"), '{ "type": "module" }\n');
      const script = join(buildDir, "child.mjs");
      await writeFile(
        script,
        `import { SqliteStore } from "./node/store/sqlite-store.js";
const store = SqliteStore.open(process.argv[2]);
for (let i = 0; i < 200; i += 1) await store.put("items.i" + String(i).padStart(3, "0"), { i, pad: "x".repeat(200) });
const first = await store.get("items.i000");
await store.update("items.i000", { i: 0, updated: true }, first.revision);
await store.delete("items.i199");
process.stdout.write("written\\n");
setInterval(() => {}, 60_000);
`,
      );

      const proc = spawn(process.execPath, [script, file], { stdio: ["ignore", "pipe", "pipe"] });
      child = proc;
      let stderr = "";
      proc.stderr?.on("data", (chunk) => {
        stderr += String(chunk);
      });
      const exited = new Promise<NodeJS.Signals | null>((done) =>
        proc.once("exit", (_code, signal) => done(signal)),
      );
      await withTimeout(
        new Promise<void>((done, fail) => {
          let stdout = "";
          proc.stdout?.on("data", (chunk) => {
            stdout += String(chunk);
            if (stdout.includes("written")) done();
          });
          proc.once("exit", (code) => fail(new Error(`child exited (${code}) before writing: ${stderr}`)));
        }),
        15_000,
        () => `child never wrote: ${stderr}`,
      );
      proc.kill("SIGKILL");
      expect(await withTimeout(exited, 5000, () => "child did not die")).toBe("SIGKILL");
      // The killed process never checkpointed: the data is in the WAL and must be recovered from it.
      expect(existsSync(`${file}-wal`) && statSync(`${file}-wal`).size).toBeGreaterThan(0);

      const store = open();
      const entries = await store.list("items.");
      expect(entries).toHaveLength(199);
      expect(entries[0]?.value).toEqual({ i: 0, updated: true });
      entries.slice(1).forEach((entry, n) => {
        expect(entry.key).toBe(`items.i${String(n + 1).padStart(3, "0")}`);
        expect(entry.value).toEqual({ i: n + 1, pad: "x".repeat(200) });
      });
      expect(await store.get("items.i199")).toBeUndefined();
      // 200 puts, 1 update, 1 delete: the counter survived too.
      expect(await store.put("items.after", 1)).toBe(203);
    });
  });
});

async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
