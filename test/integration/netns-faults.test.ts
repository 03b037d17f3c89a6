// Faults across hosts: three nodes in network namespaces, each with its own nats-server of one
// cluster, a publisher, and an nginx-rtmp destination in their own namespaces
// (test/support/netns/). One fault per test; after each: the destination never saw two
// publishers of one restream at once, every record is as before, the states come back within the
// time measured and printed, and no process leaked. The figures go to docs/reliability.md.
// Needs root and `ip netns`; skipped otherwise.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { netnsAvailable } from "../support/netns/lab.js";
import { LabMesh, type NodeId } from "../support/netns/mesh.js";
import { disconnectSeenAfter, msUntil, nodesSeen, records, restreamSeen } from "../support/netns/observe.js";

const unavailable = netnsAvailable();
const KEYS = { native: "native-out", ffmpeg: "ffmpeg-out" } as const;
const figures: string[] = [];
let mesh: LabMesh;
let streamKey: string;
const restreams: Record<keyof typeof KEYS, string> = { native: "", ffmpeg: "" };
let before: unknown;

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
    }, 120_000);

    afterAll(async () => {
      await mesh?.dispose();
      if (figures.length > 0) console.info(`fault figures:\n${figures.join("\n")}`);
    }, 60_000);

    beforeEach(baseline, 60_000);

    it("the ingest host cut off for 15 s: seen gone, taken over where the publisher goes, no second publisher when it returns", async () => {
      const cutAt = Date.now();
      mesh.lab.cut("h2");
      const seenGone = await detection("h2", ["h1", "h3"], cutAt);
      const publishedAt = Date.now();
      await mesh.publishTo("h3", streamKey);
      const takenOver = await msUntil("streaming from h3", () => allStreamingOn("h3", "h1"), publishedAt);
      await sleep(Math.max(0, cutAt + 15_000 - Date.now()));
      const restoredAt = Date.now();
      mesh.lab.restore("h2");
      const rejoined = await msUntil(
        "every node lists all three",
        async () =>
          (await Promise.all((["h1", "h2", "h3"] as const).map((id) => nodesSeen(mesh, id)))).every(
            (ids) => ids?.join() === "h1,h2,h3",
          ),
        restoredAt,
      );
      // The old actor on h2 once tried to publish again ~5 s after the return: watch that long.
      await sleep(8_000);
      expect(await allStreamingOn("h3", "h2")).toBe(true);
      const fromH2 = mesh.destination.events.filter(
        (e) => e.at >= restoredAt && e.addr === mesh.node("h2").host.ip,
      );
      expect(fromH2, nodeLog("h2")).toEqual([]);
      expect(seenGone).toBeLessThanOrEqual(3_000);
      record(
        `ingest host cut 15 s: seen gone ${seenGone} ms; streaming from h3 ${takenOver} ms after its publish; all three listed again ${rejoined} ms after the return`,
      );
      await invariants();
    }, 120_000);
  },
);
