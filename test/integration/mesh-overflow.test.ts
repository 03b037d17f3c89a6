// Capacity and chaining: the ingest node takes two restreams (maxRestreams=2); the other two run
// on another node, fed by one SRT chain link from the ingest node. All four destinations get
// H.264 + AAC, and the link goes when nothing needs it any more.
import { afterAll, beforeAll, expect, it } from "vitest";
import { ffprobeStreams, type MediaProcess, publish } from "../support/media.js";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import { waitFor } from "../support/wait.js";

const KEYS = ["over-1", "over-2", "over-3", "over-4"];
let mesh: TestMesh;
let nginx: NginxRtmp;
let publisher: MediaProcess | undefined;
const restreams: { id: string; key: string }[] = [];

interface NodeItem {
  readonly id: string;
  readonly actors: { readonly restream: number; readonly chain: number };
}

beforeAll(async () => {
  nginx = await startNginxRtmp({ applications: [{ name: "live", watchPublishers: true }] });
  mesh = await startMesh([{ id: "n1", env: { STREAMWELL_MAX_RESTREAMS: "2" } }, { id: "n2" }, { id: "n3" }]);
}, 90_000);

afterAll(async () => {
  await publisher?.stop();
  await mesh?.stop();
  await nginx?.stop();
});

it("runs two restreams on the full ingest node and two on another node through one chain link", async () => {
  const admin = mesh.admin("n2");
  const destination = (await admin.post("/destinations", { name: "nginx", url: nginx.url("live") })).body;
  const channel = (await admin.post("/channels", { name: "Busy" })).body;
  for (const key of KEYS) {
    const body = { kind: "destination", destinationId: destination.id, streamKey: key };
    const id = (await admin.post(`/channels/${channel.id}/restreams`, body)).body.id as string;
    expect((await admin.post(`/restreams/${id}/start`)).status).toBe(200);
    restreams.push({ id, key });
  }
  publisher = await publish(`${mesh.node("n1").rtmpBase}/${channel.streamKey}`, { loop: true });

  const placed = await waitFor(
    "all four streaming",
    async () => {
      const views = await Promise.all(
        restreams.map(async (r) => (await admin.get(`/restreams/${r.id}`)).body),
      );
      return views.every((view) => view.state === "streaming") ? views : undefined;
    },
    40_000,
  );
  const nodesOf = (placed as { node: string }[]).map((view) => view.node);
  expect(nodesOf.filter((node) => node === "n1")).toHaveLength(2);
  const elsewhere = [...new Set(nodesOf.filter((node) => node !== "n1"))];
  expect(elsewhere).toHaveLength(1);

  const nodes = (await admin.get("/nodes")).body.items as NodeItem[];
  const actors = Object.fromEntries(nodes.map((node) => [node.id, node.actors]));
  expect(actors.n1).toMatchObject({ restream: 2, chain: 1 });
  expect(actors[elsewhere[0] as string]).toMatchObject({ restream: 2, chain: 0 });

  for (const { key } of restreams) {
    const streams = await ffprobeStreams(nginx.url("live", key), 15_000);
    expect(streams.map((s) => s.codec_name).sort(), key).toEqual(["aac", "h264"]);
    expect(nginx.maxConcurrentPublishers(key)).toBe(1);
  }
}, 120_000);

it("tears the chain link down when the chained restreams stop", async () => {
  const admin = mesh.admin("n3");
  const views = await Promise.all(restreams.map(async (r) => (await admin.get(`/restreams/${r.id}`)).body));
  for (const view of views.filter((v: { node: string }) => v.node !== "n1"))
    expect((await admin.post(`/restreams/${view.id}/stop`)).status).toBe(200);
  await waitFor("no chain link left", async () => {
    const nodes = (await admin.get("/nodes")).body.items as NodeItem[];
    return nodes.every((node) => node.actors.chain === 0 && (node.id === "n1" || node.actors.restream === 0));
  });
  const still = await Promise.all(
    restreams.map(async (r) => (await admin.get(`/restreams/${r.id}`)).body.state),
  );
  expect(still.sort()).toEqual(["stopped", "stopped", "streaming", "streaming"]);
});
