// Attacks on a real node's RTMP ingest by clients with no stream key, while a real publisher
// streams to a channel: chunk size 1 (one object per payload byte), a ping flood that never reads
// its answers, sockets that hold slots by pinging or trickling bytes under the idle timeout, and
// more connections from one address than the cap. The node runs with its shipped limits; its heap
// (streamwell_nodejs_heap_size_used_bytes) must stay within +50 MiB, every attacker must be gone
// within the publish deadline (15 s), and the channel's ingest byte counter must keep growing.
import { afterAll, beforeAll, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import { type MediaProcess, publish } from "../support/media.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import {
  type Attacker,
  attacker,
  chunkSizeOneFlood,
  connectCommand,
  noticeClose,
  pingFlood,
  writeAll,
} from "../support/rtmp-attacker.js";
import { waitFor } from "../support/wait.js";

const HEAP_BOUND = 50 * 1024 * 1024;
const PUBLISH_DEADLINE_MS = 15_000;
const PER_ADDRESS = 16;

let node: NodeProcess;
let publisher: MediaProcess | undefined;
let channelId: string;
let rtmpPort: number;

beforeAll(async () => {
  node = await startNode({ dataDir: tempDataDir() });
  rtmpPort = Number(new URL(node.rtmpBase).port);
  const admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
  const channel = (await admin.post("/channels", { name: "Under attack" })).body;
  channelId = channel.id;
  publisher = await publish(`${node.rtmpBase}/${channel.streamKey}`, { loop: true });
  await waitFor("the publisher to be live", async () => (await ingestBytes()) > 100_000, 20_000);
}, 60_000);

afterAll(async () => {
  await publisher?.stop();
  await node?.stop();
  if (node) removeDataDir(node.dataDir);
});

async function scrape(): Promise<string> {
  // A busy node may drop an idle keep-alive connection just as it is reused: ask again, on a new one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await fetch(`${node.baseUrl}/metrics`, { headers: { connection: "close" } })).text();
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

async function metric(name: string, label: string): Promise<number> {
  const text = await scrape();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

const ingestBytes = (): Promise<number> =>
  metric("streamwell_channel_ingest_bytes_total", `channel_id="${channelId}"`);
const heapUsed = (): Promise<number> => metric("streamwell_nodejs_heap_size_used_bytes", "node=");

/**
 * Samples the node's heap and the channel's ingest bytes every 500 ms while `attack` runs and for
 * 2 s after it; returns the heap's peak over the baseline and the longest time the counter stood still.
 */
async function watch(
  attack: () => Promise<void>,
): Promise<{ heapPeak: number; heapAfter: number; stall: number }> {
  const baseline = Math.min(await heapUsed(), await heapUsed());
  let peak = baseline;
  let lastBytes = await ingestBytes();
  let lastGrowth = Date.now();
  let stall = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [heap, bytes] = await Promise.all([heapUsed(), ingestBytes()]);
      peak = Math.max(peak, heap);
      if (bytes > lastBytes) {
        lastBytes = bytes;
        lastGrowth = Date.now();
      }
      stall = Math.max(stall, Date.now() - lastGrowth);
    }
  })();
  try {
    await attack();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  } finally {
    running = false;
    await sampler;
  }
  const heapAfter = (await heapUsed()) - baseline;
  return { heapPeak: peak - baseline, heapAfter, stall };
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Waits until `done` holds or `ms` pass; says which. Numbers are reported before any assertion. */
async function within(ms: number, done: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  return done();
}

it("survives chunk size 1: three keyless clients send 2 MiB of 1-byte chunks each", async () => {
  const attackers: Attacker[] = [];
  let closed = false;
  const seen = await watch(async () => {
    for (let i = 0; i < 3; i++) attackers.push(await attacker(rtmpPort, "127.0.0.2"));
    await Promise.all(attackers.map((a) => writeAll(a.socket, chunkSizeOneFlood(1024 * 1024))));
    for (const a of attackers) noticeClose(a);
    closed = await within(5_000, () => attackers.every((a) => a.closedAt !== null));
  });
  for (const a of attackers) a.socket.destroy();
  console.info(
    `chunk size 1: heap +${mib(seen.heapPeak)} peak, +${mib(seen.heapAfter)} after; ` +
      `ingest stalled ${seen.stall} ms at most; attackers closed: ${closed}`,
  );
  expect(seen.heapPeak).toBeLessThan(HEAP_BOUND);
  expect(seen.heapAfter).toBeLessThan(HEAP_BOUND);
  expect(seen.stall).toBeLessThan(3_000);
  expect(closed).toBe(true);
}, 60_000);

it("bounds a ping flood that never reads its answers, and holds no slot past the deadline", async () => {
  const flood = pingFlood(1_000_000); // 7 MB
  let flooder: Attacker | undefined;
  const seen = await watch(async () => {
    const a = await attacker(rtmpPort, "127.0.0.3");
    flooder = a;
    // The attacker never reads the answers.
    void writeAll(a.socket, flood).then(() => noticeClose(a));
    await within(PUBLISH_DEADLINE_MS + 5_000, () => a.closedAt !== null);
  });
  flooder?.socket.destroy();
  const heldMs = (flooder?.closedAt ?? Date.now()) - (flooder?.openedAt ?? 0);
  console.info(
    `ping flood: heap +${mib(seen.heapPeak)} peak, +${mib(seen.heapAfter)} after; ` +
      `ingest stalled ${seen.stall} ms at most; held ${heldMs} ms${flooder?.closedAt ? "" : " (still open)"}`,
  );
  expect(seen.heapPeak).toBeLessThan(HEAP_BOUND);
  expect(seen.heapAfter).toBeLessThan(HEAP_BOUND);
  expect(seen.stall).toBeLessThan(3_000);
  expect(heldMs).toBeLessThan(PUBLISH_DEADLINE_MS + 2_500); // + the second noticeClose may take
}, 60_000);

it("closes slot holders at the publish deadline and caps connections per address", async () => {
  const holders: Attacker[] = [];
  let otherGotIn = false;
  const seen = await watch(async () => {
    // One more than the cap from one address: the last one is closed at once.
    for (let i = 0; i <= PER_ADDRESS; i++) holders.push(await attacker(rtmpPort, "127.0.0.4"));
    // Another address still gets in.
    const other = await attacker(rtmpPort, "127.0.0.5");
    otherGotIn = other.handshaken;
    other.socket.destroy();
    // Half ping every 2 s after connect, half trickle a connect command one byte every 2 s:
    // both well inside the 10 s idle timer that any byte used to refresh.
    const command = connectCommand();
    holders.forEach((a, i) => {
      a.socket.resume(); // these read (and drop) the answers, so they see the close at once
      if (i % 2 === 0) a.socket.write(command);
      let at = 0;
      const timer = setInterval(() => {
        if (a.socket.destroyed) return clearInterval(timer);
        a.socket.write(i % 2 === 0 ? pingFlood(1) : command.subarray(at, ++at));
      }, 2_000);
      a.socket.once("close", () => clearInterval(timer));
    });
    await within(PUBLISH_DEADLINE_MS + 5_000, () => holders.every((a) => a.closedAt !== null));
  });
  const now = Date.now();
  for (const a of holders) a.socket.destroy();
  const held = holders.filter((a) => a.handshaken);
  const open = held.filter((a) => a.closedAt === null).length;
  const longest = Math.max(...held.map((a) => (a.closedAt ?? now) - a.openedAt));
  console.info(
    `slot holders: ${holders.length - held.length} of ${holders.length} from one address refused at accept; ` +
      `${open} of ${held.length} still open after ${PUBLISH_DEADLINE_MS + 5_000} ms; the longest held ${longest} ms`,
  );
  expect(held).toHaveLength(PER_ADDRESS);
  expect(otherGotIn).toBe(true);
  expect(open).toBe(0);
  expect(longest).toBeLessThan(PUBLISH_DEADLINE_MS + 1_500);
  expect(seen.stall).toBeLessThan(3_000);
}, 60_000);
