// Faults across hosts: three nodes in network namespaces, each with its own nats-server of one
// cluster, a publisher, and an nginx-rtmp destination in their own namespaces
// (test/support/netns/). One fault per test; after each: the destination never saw two
// publishers of one restream at once, every record is as before, the states come back within the
// time measured and printed, and no process leaked. The figures go to docs/reliability.md.
// Needs root and `ip netns`; skipped otherwise.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { netnsAvailable } from "../support/netns/lab.js";
import { LabMesh, NODE_IDS, type NodeId, type NodeResources } from "../support/netns/mesh.js";
import {
  disconnectSeenAfter,
  loggedAt,
  msUntil,
  nodesSeen,
  records,
  restreamSeen,
  timeline,
} from "../support/netns/observe.js";

const unavailable = netnsAvailable();
const KEYS = { native: "native-out", ffmpeg: "ffmpeg-out" } as const;
const figures: string[] = [];
let mesh: LabMesh;
let streamKey: string;
const restreams: Record<keyof typeof KEYS, string> = { native: "", ffmpeg: "" };
let before: unknown;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function allStreamingOn(node: NodeId, via: NodeId): Promise<boolean> {
  const views = await Promise.all(Object.values(restreams).map((id) => restreamSeen(mesh, via, id)));
  return views.every((view) => view?.state === "streaming" && view.node === node);
}

/** Every restream streams from h2, where the publisher is; the figures start from here. */
async function baseline(): Promise<void> {
  if (await allStreamingOn("h2", "h1")) return;
  await mesh.publishTo("h2", streamKey);
  await msUntil("streaming from h2", () => allStreamingOn("h2", "h1"), Date.now(), 30_000);
}

async function allListed(): Promise<boolean> {
  const lists = await Promise.all(NODE_IDS.map((id) => nodesSeen(mesh, id)));
  return lists.every((ids) => ids?.join() === "h1,h2,h3");
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
  await sleep(Math.max(0, awayAt + fault.holdMs - Date.now()));
  const backAt = Date.now();
  fault.back();
  const rejoined = await msUntil("every node lists all three", allListed, backAt, 60_000);
  const back = timeline(mesh, NODE_IDS, backAt, /connected|lease|store NATS/, mesh.nats.leaderLog(backAt));
  console.info(`rejoin timeline (ms after the return; all listed at +${rejoined} ms):\n${back.join("\n")}`);
  // The old actor once tried to publish again ~5 s after the return: watch that long.
  await sleep(8_000);
  // The returned node's API answers from what it learns again after the return: JetStream may take
  // no write or read for up to ~25 s then (docs/reliability.md, bug 6), so this is measured, not fixed.
  const agreed = await msUntil(
    `${node}'s API shows h3 streaming`,
    () => allStreamingOn("h3", node),
    backAt,
    45_000,
  );
  const fromNode = mesh.destination.events.filter(
    (e) => e.at >= backAt && e.addr === mesh.node(node).host.ip,
  );
  expect(fromNode, nodeLog(node)).toEqual([]);
  expect(seenGone).toBeLessThanOrEqual(3_000);
  await invariants();
  return `seen gone ${seenGone} ms; streaming from h3 ${takenOver} ms after its publish (${fromAccepted} ms after h3 accepted it); all three listed again ${rejoined} ms after the return; ${node}'s own API agreed ${agreed} ms after the return`;
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

/** What must hold after every fault. */
async function invariants(): Promise<void> {
  for (const key of Object.values(KEYS)) expect(mesh.destination.overlaps(key)).toEqual([]);
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
      await mesh?.dispose();
      if (figures.length > 0) console.info(`fault figures:\n${figures.join("\n")}`);
    }, 60_000);

    beforeEach(baseline, 60_000);

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
    }, 180_000);

    // Skipped: a known bug (docs/reliability.md, bug 7). The node taking over publishes ~2.5 s after
    // the freeze while nginx-rtmp still holds the frozen node's session; nginx refuses it ("already
    // publishing"), the push streams 1 s later, but the destination saw a second publish attempt and
    // every later case fails on that record. Fix to come: a restream taken over from a vanished node
    // waits before its first connect. Un-skip with that fix.
    it.skip("the ingest node frozen (SIGSTOP) for 20 s, then SIGCONT: no second publisher when it wakes", async () => {
      const pid = mesh.node("h2").process.pid;
      const figures = await ingestHostAway("h2", {
        away: () => process.kill(pid, "SIGSTOP"),
        back: () => process.kill(pid, "SIGCONT"),
        holdMs: 20_000,
      });
      record(`ingest node SIGSTOP 20 s: ${figures}`);
      await noLeakedDescriptors("the ingest node's freeze");
    }, 180_000);

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
  },
);
