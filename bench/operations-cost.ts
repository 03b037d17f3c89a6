// What history and webhooks cost the node per state change: CPU (this process's user + system
// time, from process.cpuUsage) and store calls (bench/support/counting-store.ts), on a real SQLite
// store in a temp dir. The webhook receiver runs in a child process so its CPU is not counted.
// Run: npm run bench -- operations   (numbers in README "What they cost the node")
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhooks } from "../node/catalog/webhooks.js";
import { HistoryLog } from "../node/history/history-log.js";
import { HistoryRecorder } from "../node/history/history-recorder.js";
import { SqliteStore } from "../node/store/sqlite-store.js";
import { Deliverer } from "../node/webhooks/deliverer.js";
import { countingStore, type StoreCounts } from "./support/counting-store.js";
import { startProcess } from "./support/processes.js";

const RESTREAMS = 100;
const SECONDS = 20;
const WEBHOOK_EVENTS = 500;

// Answers every POST with 204 and prints its port first.
const RECEIVER = `require("node:http").createServer((q, s) => { q.resume(); q.on("end", () => s.writeHead(204).end()); })
  .listen(0, "127.0.0.1", function () { console.log(this.address().port); });`;

interface Cost {
  readonly changes: number;
  readonly cpuMicrosPerChange: number;
  readonly readsPerChange: number;
  readonly writesPerChange: number;
}

function cost(changes: number, cpu: NodeJS.CpuUsage, counts: StoreCounts): Cost {
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    changes,
    cpuMicrosPerChange: round((cpu.user + cpu.system) / changes),
    readsPerChange: round(counts.reads / changes),
    writesPerChange: round(counts.writes / changes),
  };
}

/** Every restream changes state once a second (the worst steady case); one flush a second. */
async function history(store: SqliteStore): Promise<Cost> {
  const counted = countingStore(store);
  const recorder = new HistoryRecorder(
    new HistoryLog(counted.store, async () => true),
    "bench",
    console,
    3_600_000,
  );
  const start = process.cpuUsage();
  for (let second = 0; second < SECONDS; second += 1) {
    for (let r = 0; r < RESTREAMS; r += 1)
      recorder.record(`rs_${r}`, second % 2 === 0 ? "streaming" : "error");
    await recorder.flush();
  }
  return cost(RESTREAMS * SECONDS, process.cpuUsage(start), counted.counts);
}

/** One webhook gets every event: sign, POST to loopback, record the attempt. */
async function webhooks(store: SqliteStore): Promise<Cost> {
  let port = "";
  const receiver = startProcess("receiver", process.execPath, ["-e", RECEIVER], {
    onStdoutLine: (line) => {
      port ||= line;
    },
  });
  try {
    while (port === "") await new Promise((resolve) => setTimeout(resolve, 20));
    const counted = countingStore(store);
    const catalog = new Webhooks(counted.store);
    const webhook = await catalog.create({
      url: `http://127.0.0.1:${port}/`,
      events: ["restream.state"],
      secret: "a-benchmark-secret",
    });
    counted.reset();
    let recorded = 0;
    const deliverer = new Deliverer({
      retryBaseMs: 1_000,
      record: async (id, attempt) => {
        await catalog.deliveries.append(id, [attempt]);
        recorded += 1;
      },
      warn: (details, message) => console.warn(message, details),
    });
    const start = process.cpuUsage();
    for (let event = 0; event < WEBHOOK_EVENTS; event += 1)
      deliverer.publish([webhook], "restream.state", { restreamId: `rs_${event}`, state: "streaming" });
    while (recorded < WEBHOOK_EVENTS) await new Promise((resolve) => setTimeout(resolve, 10));
    const cpu = process.cpuUsage(start);
    deliverer.close();
    return cost(WEBHOOK_EVENTS, cpu, counted.counts);
  } finally {
    await receiver.stop();
  }
}

export async function runOperationsBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "streamwell-bench-ops-"));
  const store = SqliteStore.open(join(dir, "bench.db"));
  try {
    const result = { history: await history(store), webhookDelivery: await webhooks(store) };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
