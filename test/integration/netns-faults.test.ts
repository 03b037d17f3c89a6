// Faults across hosts: three nodes in network namespaces, each with its own nats-server of one
// cluster, a publisher, and an nginx-rtmp destination in their own namespaces
// (test/support/netns/). One fault per test; after each: the destination never accepted two
// publishers of one restream at once (a publish nginx refused as "already publishing" is counted
// apart, and allowed only from a node taking over a vanished node's restreams), every record is as
// before, the states come back within the time measured and printed, and no process leaked. The figures go to docs/reliability.md.
// Needs root and `ip netns`; skipped otherwise.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { STAT_PORT } from "../support/netns/destination.js";
import { netnsAvailable } from "../support/netns/lab.js";
import { LossyLink } from "../support/netns/lossy-link.js";
import {
  LabMesh,
  NODE_IDS,
  type NodeId,
  type NodeResources,
  RELAYED_NODE,
  SRT_PORTS,
} from "../support/netns/mesh.js";
import {
  disconnectSeenAfter,
  loggedAt,
  msUntil,
  nodesSeen,
  records,
  restreamSeen,
  timeline,
} from "../support/netns/observe.js";
import { codecsAt } from "../support/restreams.js";

const unavailable = netnsAvailable();
const KEYS = { native: "native-out", ffmpeg: "ffmpeg-out" } as const;
const figures: string[] = [];
let mesh: LabMesh;
let streamKey: string;
const restreams: Record<keyof typeof KEYS, string> = { native: "", ffmpeg: "" };
let before: unknown;
/** When the current test's fault began (after its baseline). */
let faultFrom = 0;
/** A test failed: the nodes' logs are written to a temporary directory at the end. */
let keepLogs = false;
/** What the nodes held open before the first fault, with every restream streaming from h2. */
let held: Record<NodeId, NodeResources>;

function record(line: string): void {
  figures.push(line);
  console.info(`fault figures: ${line}`);
}

/** A node's lines about its actors and its fence, for a failure's message. */
function nodeLog(id: NodeId): string {
  const lines = mesh
    .node(id)
    .process.output.filter((line) => /restream|fence|lease|placement|actor/.test(line));
  return lines.slice(-40).join("\n");
}

/** The slowest of the observers' detections of `gone`'s departure, in ms after `since`. */
async function detection(gone: NodeId, observers: readonly NodeId[], since: number): Promise<number> {
  await msUntil(
    `${observers.join(", ")} declare ${gone} gone`,
    () => observers.every((o) => disconnectSeenAfter(mesh, o, gone, since) !== undefined),
    since,
  );
  return Math.max(...observers.map((o) => disconnectSeenAfter(mesh, o, gone, since) ?? 0));
}

/** The log lines that say where a takeover spends its time (printed with each run). */
const TAKEOVER_STEPS =
  /publisher live|disconnected|placement|placements delivered|actor|^restream |lease|reconcile|store NATS|refused|could not/;

/** The lossy chain link's shape and how long the destination is watched through it. */
const LINK = { delayMs: 200, loss: 0.02, windows: 4, windowMs: 5_000 } as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function allStreamingOn(node: NodeId, via: NodeId): Promise<boolean> {
  const views = await Promise.all(Object.values(restreams).map((id) => restreamSeen(mesh, via, id)));
  return views.every((view) => view?.state === "streaming" && view.node === node);
}

/** Every restream streams from h2, where the publisher is; the figures start from here. */
async function baseline(): Promise<void> {
  if (await allStreamingOn("h2", "h1")) return;
  const publishedAt = Date.now();
  await mesh.publishTo("h2", streamKey);
  const steps = () => timeline(mesh, NODE_IDS, publishedAt, TAKEOVER_STEPS).join("\n");
  const took = await msUntil(
    "streaming from h2",
    () => allStreamingOn("h2", "h1"),
    publishedAt,
    30_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; since the publish:\n${steps()}`);
  });
  if (took > 5_000) console.info(`back to h2 took ${took} ms (ms after the publish):\n${steps()}`);
}

async function allListed(): Promise<boolean> {
  const lists = await Promise.all(NODE_IDS.map((id) => nodesSeen(mesh, id)));
  return lists.every((ids) => ids?.join() === "h1,h2,h3");
}

/** What `via`'s API shows of the restreams, and the nodes' logs since `since`: a failure's message. */
async function whatNodeShows(via: NodeId, since: number, logsOf: readonly NodeId[] = [via]): Promise<string> {
  const views = await Promise.all(Object.values(restreams).map((id) => restreamSeen(mesh, via, id)));
  const shown = views.map((v) => (v ? `${v.state} on ${v.node ?? "no node"}` : "no answer"));
  const log = timeline(mesh, logsOf, since, /./).slice(-80);
  return `${via}'s API shows: ${shown.join("; ")}\nthe log of ${logsOf.join(", ")} since then:\n${log.join("\n")}`;
}

/** Polls the restreams through `via` until stopped; returns the times they were not streaming from `node`. */
function streamingWatch(node: NodeId, via: NodeId): { stop(): Promise<string[]> } {
  const gaps: string[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      for (const id of Object.values(restreams)) {
        const view = await restreamSeen(mesh, via, id);
        if (view && (view.state !== "streaming" || view.node !== node))
          gaps.push(`${new Date().toISOString()} ${id}: ${view.state} on ${view.node}`);
      }
      await sleep(250);
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return gaps;
    },
  };
}

/**
 * The ingest node goes away for `holdMs` (cut or frozen); once its peers see it gone, the publisher
 * moves to h3, as an encoder with a backup URL would; then it comes back. Returns the figures.
 */
async function ingestHostAway(
  node: NodeId,
  fault: { away(): void; back(): void; holdMs: number },
): Promise<string> {
  const awayAt = Date.now();
  fault.away();
  const seenGone = await detection(node, ["h1", "h3"], awayAt);
  const publishedAt = Date.now();
  await mesh.publishTo("h3", streamKey);
  const takenOver = await msUntil("streaming from h3", () => allStreamingOn("h3", "h1"), publishedAt);
  const accepted = loggedAt(mesh, "h3", publishedAt, /^publisher live$/);
  const fromAccepted = accepted === undefined ? "?" : publishedAt + takenOver - accepted;
  const steps = timeline(mesh, NODE_IDS, awayAt, TAKEOVER_STEPS, mesh.nats.leaderLog(awayAt));
  console.info(
    `takeover timeline (ms after the fault; publisher started toward h3 at +${publishedAt - awayAt} ms, streaming seen at +${publishedAt + takenOver - awayAt} ms):\n${steps.join("\n")}`,
  );
  const refusedLine = refusals(awayAt);
  // A refusal while the old session lingers is retried without an error (node/actors/takeover.ts).
  const shownRejected = timeline(mesh, ["h3"], publishedAt, /^restream error/).filter((line) =>
    line.includes("destination_rejected"),
  );
  expect(shownRejected, "a takeover's refusal shown as an error").toEqual([]);
  await sleep(Math.max(0, awayAt + fault.holdMs - Date.now()));
  const backAt = Date.now();
  fault.back();
  const rejoined = await msUntil("every node lists all three", allListed, backAt, 60_000);
  const back = timeline(mesh, NODE_IDS, backAt, /connected|lease|store NATS/, mesh.nats.leaderLog(backAt));
  console.info(`rejoin timeline (ms after the return; all listed at +${rejoined} ms):\n${back.join("\n")}`);
  // The old actor once tried to publish again ~5 s after the return: watch that long.
  await sleep(8_000);
  // The returned node's API answers from what it learns again after the return: JetStream may take
  // no write or read for up to ~25 s then (docs/reliability.md, bug 6; 14-29 s measured, once over
  // 45 s), so this is measured, not fixed, and bounded loosely.
  const agreed = await msUntil(
    `${node}'s API shows h3 streaming`,
    () => allStreamingOn("h3", node),
    backAt,
    75_000,
  ).catch(async (error: unknown) => {
    throw new Error(`${String(error)}\n${await whatNodeShows(node, backAt)}`);
  });
  const fromNode = mesh.destination.events.filter(
    (e) => e.at >= backAt && e.addr === mesh.node(node).host.ip,
  );
  expect(fromNode, nodeLog(node)).toEqual([]);
  expect(seenGone).toBeLessThanOrEqual(3_000);
  await invariants("h3");
  return `seen gone ${seenGone} ms; streaming from h3 ${takenOver} ms after its publish (${fromAccepted} ms after h3 accepted it); ${refusedLine}; all three listed again ${rejoined} ms after the return; ${node}'s own API agreed ${agreed} ms after the return`;
}

/** Every order a node refused over the suite, per node and reason, with a count. */
function refusedOrders(): string {
  const counts = new Map<string, number>();
  for (const id of NODE_IDS)
    for (const raw of mesh.node(id).process.output) {
      if (!raw.includes('"order_refused"')) continue;
      const { reason } = JSON.parse(raw) as { reason?: string };
      const key = `${id}: ${reason ?? "?"}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  return [...counts].map(([key, n]) => `${key} (${n})`).join("\n") || "none";
}

/** The publishes nginx refused since `since` ("already publishing"), per key, with their times after it. */
function refusals(since: number): string {
  const parts = Object.entries(KEYS).map(([engine, key]) => {
    const refused = mesh.destination.refused(key, since);
    const times = refused.map((e) => `+${e.at - since}`).join(", ");
    return `${engine} ${refused.length}${refused.length > 0 ? ` (${times} ms)` : ""}`;
  });
  return `publishes refused as already publishing: ${parts.join(", ")}`;
}

/**
 * Sockets a node may hold more or fewer of than before the first fault without a leak: the API
 * connections the test's own polls leave open (kept alive 5 s by the node's HTTP server, up to
 * three at once per node) and the NATS connections reconnecting after a cut. A leaked push,
 * relay or ingest per fault adds up over the suite and goes past it; pipes (4 per ffmpeg relay)
 * and listening sockets must match exactly.
 */
const SOCKET_SLACK = 4;
/** Other descriptors (files, epoll, eventfd) vary by a timer or two. */
const OTHER_SLACK = 2;

/** Back where the suite started (streaming from h2), the nodes hold what they held then. */
async function noLeakedDescriptors(fault: string): Promise<void> {
  await baseline();
  const now = mesh.resources();
  const leaks: string[] = [];
  for (const id of NODE_IDS) {
    const [was, is] = [held[id], now[id]];
    if (Math.abs(is.fds.socket - was.fds.socket) > SOCKET_SLACK)
      leaks.push(`${id}: ${is.fds.socket} sockets, ${was.fds.socket} before`);
    if (is.fds.pipe !== was.fds.pipe) leaks.push(`${id}: ${is.fds.pipe} pipes, ${was.fds.pipe} before`);
    if (Math.abs(is.fds.other - was.fds.other) > OTHER_SLACK)
      leaks.push(`${id}: ${is.fds.other} other fds, ${was.fds.other} before`);
    if (is.listening.join() !== was.listening.join())
      leaks.push(`${id}: listening ${is.listening.join(", ")}; before ${was.listening.join(", ")}`);
  }
  const fds = NODE_IDS.map(
    (id) =>
      `${id} ${now[id].fds.socket}/${now[id].fds.pipe}/${now[id].fds.other} (before ${held[id].fds.socket}/${held[id].fds.pipe}/${held[id].fds.other})`,
  );
  console.info(`fault resources after ${fault}: sockets/pipes/other fds ${fds.join("; ")}`);
  expect(leaks).toEqual([]);
}

/**
 * What must hold after every fault. A publish nginx refused ("already publishing": the old session
 * was still open) is allowed only from `takeover`, the node taking over a vanished node's restreams.
 */
async function invariants(takeover?: NodeId): Promise<void> {
  for (const key of Object.values(KEYS)) expect(mesh.destination.overlaps(key)).toEqual([]);
  const allowed = takeover === undefined ? undefined : mesh.node(takeover).host.ip;
  const refused = Object.values(KEYS).flatMap((key) => mesh.destination.refused(key, faultFrom));
  expect(refused.filter((e) => e.addr !== allowed)).toEqual([]);
  expect(await records(mesh.node("h1").admin)).toEqual(before);
  expect(mesh.leakedProcesses(1)).toEqual([]);
}

describe.skipIf(unavailable !== null)(
  `faults across hosts${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    beforeAll(async () => {
      mesh = await LabMesh.start();
      const admin = mesh.node("h1").admin;
      const channel = (await admin.post("/channels", { name: "Lab" })).body;
      streamKey = channel.streamKey;
      for (const engine of ["native", "ffmpeg"] as const) {
        const destination = await admin.post("/destinations", {
          name: `nginx ${engine}`,
          url: mesh.destination.url,
          engine,
        });
        expect(destination.status, destination.text).toBe(201);
        const created = await admin.post(`/channels/${channel.id}/restreams`, {
          kind: "destination",
          destinationId: destination.body.id,
          streamKey: KEYS[engine],
        });
        expect(created.status, created.text).toBe(201);
        restreams[engine] = created.body.id;
        expect((await admin.post(`/restreams/${created.body.id}/start`)).status).toBe(200);
      }
      await baseline();
      before = await records(admin);
      held = mesh.resources();
    }, 120_000);

    afterAll(async () => {
      if (mesh && keepLogs) {
        const dir = mkdtempSync(join(tmpdir(), "streamwell-netns-logs-"));
        for (const id of NODE_IDS)
          writeFileSync(join(dir, `${id}.log`), mesh.node(id).process.output.join("\n"));
        console.info(`a test failed: the nodes' logs are in ${dir}`);
      }
      if (mesh)
        console.info(
          `placement orders refused over the suite (the leader sends them again):\n${refusedOrders()}`,
        );
      await mesh?.dispose();
      if (figures.length > 0) console.info(`fault figures:\n${figures.join("\n")}`);
    }, 60_000);

    beforeEach(async () => {
      onTestFailed(() => {
        keepLogs = true;
      });
      await baseline();
      faultFrom = Date.now();
    }, 60_000);

    it("the ingest host cut off for 15 s: seen gone, taken over where the publisher goes, no second publisher when it returns", async () => {
      const kvLeader = await mesh.nats.streamLeader(mesh.kvStream, "h1");
      const metaLeader = await mesh.nats.metaLeader("h1");
      const figures = await ingestHostAway("h2", {
        away: () => mesh.lab.cut("h2"),
        back: () => mesh.lab.restore("h2"),
        holdMs: 15_000,
      });
      record(
        `ingest host cut 15 s (KV stream leader ${kvLeader}, JetStream meta leader ${metaLeader}): ${figures}`,
      );
      await noLeakedDescriptors("the ingest host's cut");
    }, 240_000);

    // The node taking over publishes ~2.5 s after the freeze, while nginx-rtmp may still hold the
    // frozen node's session (it drops one after 3 s idle): refused as "already publishing", retried
    // every 0.5 s without an error (node/actors/takeover.ts; docs/reliability.md, bug 7).
    it("the ingest node frozen (SIGSTOP) for 20 s, then SIGCONT: no second publisher when it wakes", async () => {
      const pid = mesh.node("h2").process.pid;
      const figures = await ingestHostAway("h2", {
        away: () => process.kill(pid, "SIGSTOP"),
        back: () => process.kill(pid, "SIGCONT"),
        holdMs: 20_000,
      });
      record(`ingest node SIGSTOP 20 s: ${figures}`);
      await noLeakedDescriptors("the ingest node's freeze");
    }, 240_000);

    it("the leader's host cut off for 15 s: the pushes on h2 go on untouched, h2 leads meanwhile", async () => {
      const cutAt = Date.now();
      mesh.lab.cut("h1");
      const watch = streamingWatch("h2", "h2");
      const seenGone = await detection("h1", ["h2", "h3"], cutAt);
      await sleep(Math.max(0, cutAt + 15_000 - Date.now()));
      const restoredAt = Date.now();
      mesh.lab.restore("h1");
      const rejoined = await msUntil("every node lists all three", allListed, restoredAt, 60_000);
      await sleep(5_000);
      const gaps = await watch.stop();
      expect(gaps, "restreams seen not streaming from h2 during the cut").toEqual([]);
      expect(mesh.destination.events.filter((e) => e.at >= cutAt)).toEqual([]);
      expect(seenGone).toBeLessThanOrEqual(3_000);
      record(
        `leader host cut 15 s: seen gone ${seenGone} ms; no restart, no publish at the destination; all three listed again ${rejoined} ms after the return`,
      );
      await invariants();
      await noLeakedDescriptors("the leader's cut");
    }, 120_000);

    it("the ingest host's nats-server SIGKILLed and restarted after 5 s: its node goes on through the others, nothing restarts", async () => {
      const killedAt = Date.now();
      const server = mesh.nats.servers.find((s) => s.host.name === "h2");
      if (!server) throw new Error("no nats-server on h2");
      await server.kill();
      const watch = streamingWatch("h2", "h1");
      await sleep(5_000);
      const restartedAt = Date.now();
      await server.start();
      await sleep(5_000);
      const gaps = await watch.stop();
      // The node's NATS client learnt the cluster's other servers and reconnects there at once.
      const seenGone = disconnectSeenAfter(mesh, "h1", "h2", killedAt);
      expect(seenGone).toBeUndefined();
      expect(gaps, "restreams seen not streaming from h2").toEqual([]);
      expect(mesh.destination.events.filter((e) => e.at >= killedAt)).toEqual([]);
      const rejoined = await msUntil("every node lists all three", allListed, restartedAt, 30_000);
      record(
        `ingest host's nats-server SIGKILL, restarted after 5 s: h2 never seen gone (its client moved to another server); no restart, no publish at the destination; all three listed ${rejoined} ms after the restart`,
      );
      await invariants();
      await noLeakedDescriptors("the nats-server's restart");
    }, 120_000);

    it("the ffmpeg relay SIGKILLed: its actor starts a new one, one publisher at a time", async () => {
      const relay = mesh.relayPids("h2");
      expect(relay).toHaveLength(1);
      const killedAt = Date.now();
      process.kill(relay[0] as number, "SIGKILL");
      const published = await msUntil(
        "a new publish of the ffmpeg restream",
        () => mesh.destination.publishes(KEYS.ffmpeg, killedAt).length === 1,
        killedAt,
      );
      const streaming = await msUntil("streaming again from h2", () => allStreamingOn("h2", "h1"), killedAt);
      expect(mesh.destination.publishes(KEYS.native, killedAt)).toEqual([]);
      record(`ffmpeg relay SIGKILL: published again ${published} ms later, streaming ${streaming} ms later`);
      await invariants();
      await noLeakedDescriptors("the relay's SIGKILL");
    }, 90_000);

    it("200 ms latency and 2 % loss on the chain link h2 -> h3: the destination keeps streaming, one publisher at a time", async () => {
      const link = await LossyLink.start(mesh.lab, mesh.relayHost, mesh.node(RELAYED_NODE).host, SRT_PORTS, {
        delayMs: LINK.delayMs,
        loss: LINK.loss,
      });
      const statPort = await mesh.expose(mesh.destination.host.ip, STAT_PORT);
      const rtmpPort = await mesh.expose(mesh.destination.host.ip, 1935);
      const admin = mesh.node("h1").admin;
      const bytes = () =>
        Promise.all(Object.values(KEYS).map((key) => mesh.destination.bytesIn(key, statPort)));
      try {
        // h1 and h2 drained: the restreams run on h3, fed from h2's ingest by a chain link through the relay.
        const drainedAt = Date.now();
        for (const id of ["h1", "h2"]) expect((await admin.post(`/nodes/${id}/drain`)).status).toBe(200);
        const moved = await msUntil(
          "streaming from h3",
          () => allStreamingOn(RELAYED_NODE, "h1"),
          drainedAt,
          60_000,
        );
        const watchFrom = Date.now();
        const watch = streamingWatch(RELAYED_NODE, "h1");
        const rates: number[][] = [];
        let last = await bytes();
        for (let window = 0; window < LINK.windows; window += 1) {
          await sleep(LINK.windowMs);
          const now = await bytes();
          rates.push(now.map((b, i) => Math.round(((b - (last[i] ?? 0)) * 8) / LINK.windowMs)));
          last = now;
        }
        const gaps = await watch.stop();
        const republished = Object.values(KEYS).map(
          (key) => mesh.destination.publishes(key, watchFrom).length,
        );
        const { forwarded, dropped, answered, answersDropped } = link.counts;
        const lost = (d: number, f: number) => ((100 * d) / Math.max(1, d + f)).toFixed(1);
        const steps = timeline(mesh, ["h2", "h3"], drainedAt, /chain|listener|restream|actor|srt/i);
        console.info(`lossy link timeline (ms after the drain):\n${steps.join("\n")}`);
        const codecs = await Promise.all(
          Object.values(KEYS).map((key) =>
            codecsAt(`rtmp://127.0.0.1:${rtmpPort}/live/${key}`).catch((error: Error) => [error.message]),
          ),
        );
        record(
          `chain link h2 -> h3 with ${LINK.delayMs} ms each way and ${LINK.loss * 100} % loss (${forwarded + dropped} datagrams toward h3, ${lost(dropped, forwarded)} % dropped; ${answered + answersDropped} back, ${lost(answersDropped, answered)} % dropped): streaming from h3 ${moved} ms after the drain; kbit/s at the destination per ${LINK.windowMs / 1000} s (native/ffmpeg): ${rates.map((r) => r.join("/")).join(", ")}; publishes while watched ${republished.join("/")}; not streaming from h3 seen ${gaps.length} times; ffprobe: ${codecs.map((c) => c.join("+")).join(" / ")}`,
        );
        for (const rate of rates) for (const kbps of rate) expect(kbps).toBeGreaterThan(0);
        expect(codecs).toEqual([
          ["aac", "h264"],
          ["aac", "h264"],
        ]);
        expect(republished).toEqual([0, 0]);
        expect(gaps).toEqual([]);
      } finally {
        const undrainedAt = Date.now();
        for (const id of ["h1", "h2"]) await admin.post(`/nodes/${id}/undrain`);
        await msUntil("streaming from h2", () => allStreamingOn("h2", "h1"), undrainedAt, 60_000).catch(
          async () =>
            console.info(
              `not streaming from h2 60 s after the undrain:\n${await whatNodeShows("h1", undrainedAt, NODE_IDS)}`,
            ),
        );
        await link.stop();
      }
      // The unused link's ends (h2's push, h3's listener) are closed by the leader's next round.
      await msUntil(
        "the chain link's processes gone",
        () => mesh.leakedProcesses(1).length === 0,
        Date.now(),
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}: ${mesh.leakedProcesses(1).join("; ")}`);
      });
      await invariants();
      await noLeakedDescriptors("the lossy chain link");
    }, 240_000);
  },
);
