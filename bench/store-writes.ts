// How long one store write takes on this disk (SQLite, WAL, synchronous=NORMAL), to size the
// control plane. Run: npm run bench:store (numbers in docs/benchmarks.md).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../node/store/sqlite-store.js";

const WRITES = 2000;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "streamwell-bench-"));
  const store = SqliteStore.open(join(dir, "bench.db"));
  try {
    const started = process.hrtime.bigint();
    for (let i = 0; i < WRITES; i += 1)
      await store.put(`bench.k${i % 100}`, { i, name: "a restream record" });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const result = {
      writes: WRITES,
      seconds,
      writesPerSecond: Math.round(WRITES / seconds),
      microsPerWrite: Math.round((seconds / WRITES) * 1e6),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
