// What the operations features cost the store per state change, counted on a real SQLite store:
// the history writes one segment per subject per flush (a lone change: one read and one write; a
// burst of 100 in one flush: 4 writes), and a webhook delivery writes one log entry per attempt.
// The numbers in README ("What they cost the node") come from here and bench/operations-cost.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countingStore } from "../../bench/support/counting-store.js";
import { Webhooks } from "../../node/catalog/webhooks.js";
import { HistoryLog } from "../../node/history/history-log.js";
import { HistoryRecorder } from "../../node/history/history-recorder.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";
import { Deliverer } from "../../node/webhooks/deliverer.js";
import { waitFor } from "../support/wait.js";
import { startReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";

let dir: string;
let sqlite: SqliteStore;
let counted: ReturnType<typeof countingStore>;
let receiver: WebhookReceiver | undefined;
const quiet = { warn: () => {} };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "streamwell-costs-"));
  sqlite = SqliteStore.open(join(dir, "store.db"));
  counted = countingStore(sqlite);
});

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A recorder that flushes only when told, so each flush stands for one second of changes. */
function recorder(): HistoryRecorder {
  const log = new HistoryLog(counted.store, async () => true);
  return new HistoryRecorder(log, "n1", quiet, 3_600_000);
}

describe("history", () => {
  it("a lone state change costs one read and one write (the first: a list and a create)", async () => {
    const history = recorder();
    for (let second = 0; second < 10; second += 1) {
      history.record("rs_a", second % 2 === 0 ? "streaming" : "error");
      await history.flush();
    }
    expect(counted.counts).toEqual({ reads: 10, writes: 10 });
  });

  it("a burst of 100 changes within one flush costs 4 writes (one per 25-entry segment)", async () => {
    const history = recorder();
    for (let change = 0; change < 100; change += 1)
      history.record("rs_a", change % 2 === 0 ? "streaming" : "error");
    await history.flush();
    expect(counted.counts.writes).toBe(4);
    expect(counted.counts.reads).toBeLessThanOrEqual(7);
  });

  it("a repeated state is not a change: nothing is written", async () => {
    const history = recorder();
    history.record("rs_a", "streaming");
    await history.flush();
    counted.reset();
    for (let report = 0; report < 50; report += 1) history.record("rs_a", "streaming");
    await history.flush();
    expect(counted.counts).toEqual({ reads: 0, writes: 0 });
  });
});

describe("webhook deliveries", () => {
  async function deliver(statuses: number[], events: number): Promise<void> {
    const attempts = events + statuses.length; // the receiver takes its statuses off the list
    receiver = await startReceiver(statuses);
    const webhooks = new Webhooks(counted.store);
    const webhook = await webhooks.create({
      url: receiver.url,
      events: ["restream.state"],
      secret: "x".repeat(16),
    });
    counted.reset();
    let recorded = 0;
    const deliverer = new Deliverer({
      retryBaseMs: 10,
      record: async (id, attempt) => {
        await webhooks.deliveries.append(id, [attempt]);
        recorded += 1;
      },
      warn: () => {},
    });
    try {
      for (let event = 0; event < events; event += 1)
        deliverer.publish([webhook], "restream.state", { restreamId: "rs_a", state: "streaming" });
      await waitFor("every attempt recorded", () => recorded === attempts, 10_000);
    } finally {
      deliverer.close();
    }
  }

  it("each attempt writes one log entry: 10 events to one webhook, 10 writes", async () => {
    await deliver([], 10);
    expect(counted.counts.writes).toBe(10);
    // The first append finds the ring (a get of the webhook, a list); then one get per attempt.
    expect(counted.counts.reads).toBeLessThanOrEqual(12);
  });

  it("a failed attempt is recorded too: one 500 then a 200 is 2 writes", async () => {
    await deliver([500], 1);
    expect(counted.counts.writes).toBe(2);
  });
});
