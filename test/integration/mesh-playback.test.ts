// A Remote Playback URL stays valid when the ingest moves: the playback actor stays on the node
// its URL names (n2, where it was created), fed by a chain link from whichever node holds the
// ingest. The link carries FLV (H.264 + AAC); a caller pulling the URL gets H.264 + AAC before and
// after the publisher moves from n3 to n1. A channel ingested over SRT (HEVC in MPEG-TS, home n3)
// is served the same way, the link carrying MPEG-TS.
import { afterAll, beforeAll, expect, it } from "vitest";
import { ffprobeStreams, hevcClip, type MediaProcess, publish, publishSrt } from "../support/media.js";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { waitFor } from "../support/wait.js";

let mesh: TestMesh;
let publisher: MediaProcess | undefined;

interface NodeItem {
  readonly id: string;
  readonly actors: { readonly restream: number; readonly playback: number; readonly chain: number };
}

beforeAll(async () => {
  mesh = await startMesh([{ id: "n1" }, { id: "n2" }, { id: "n3" }]);
}, 90_000);

afterAll(async () => {
  await publisher?.stop();
  await mesh?.stop();
});

/** Waits until the nodes' actors are as expected (nodes not named must run none). */
async function actorsBecome(expected: Record<string, Partial<NodeItem["actors"]>>): Promise<void> {
  const admin = mesh.admin("n1");
  await waitFor(
    `actors ${JSON.stringify(expected)}`,
    async () => {
      const nodes = (await admin.get("/nodes")).body.items as NodeItem[];
      return nodes.every((node) => {
        const want = { restream: 0, playback: 0, chain: 0, ...expected[node.id] };
        return (Object.keys(want) as (keyof NodeItem["actors"])[]).every((k) => node.actors[k] === want[k]);
      });
    },
    30_000,
  );
}

async function pulledCodecs(url: string): Promise<string[]> {
  const streams = await ffprobeStreams(url, 20_000);
  return streams.map((stream) => stream.codec_name).sort();
}

it("serves a Remote Playback on the node its URL names, through a chain link that follows the publisher", async () => {
  const admin = mesh.admin("n2");
  const channel = (await admin.post("/channels", { name: "Far away" })).body;
  const created = await admin.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" });
  expect(created.status).toBe(201);
  const { id, playbackUrl } = created.body as { id: string; playbackUrl: string };
  expect((await admin.post(`/restreams/${id}/start`)).status).toBe(200);

  publisher = await publish(`${mesh.node("n3").rtmpBase}/${channel.streamKey}`, { loop: true });
  await actorsBecome({ n2: { playback: 1 }, n3: { chain: 1 } });
  expect(await pulledCodecs(playbackUrl)).toEqual(["aac", "h264"]);

  await publisher.stop();
  publisher = await publish(`${mesh.node("n1").rtmpBase}/${channel.streamKey}`, { loop: true });
  await actorsBecome({ n2: { playback: 1 }, n1: { chain: 1 } });
  expect(await pulledCodecs(playbackUrl)).toEqual(["aac", "h264"]);
  const view = (await admin.get(`/restreams/${id}`)).body;
  expect(view.playbackUrl).toBe(playbackUrl);
}, 150_000);

it("serves an SRT-ingested HEVC channel from another node of the mesh", async () => {
  await publisher?.stop();
  publisher = undefined;
  // The channel's SRT ingest lives on n3 (its port is from n3's range); its Remote Playback on n2.
  const channel = (await mesh.admin("n3").post("/channels", { name: "HEVC far", srtIngest: true })).body;
  const admin = mesh.admin("n2");
  const created = await admin.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" });
  expect(created.status).toBe(201);
  const { id, playbackUrl } = created.body as { id: string; playbackUrl: string };
  expect((await admin.post(`/restreams/${id}/start`)).status).toBe(200);

  publisher = publishSrt(channel.ingest.srt, await hevcClip());
  await waitFor(
    "live on n3",
    async () => (await admin.get(`/channels/${channel.id}`)).body.node === "n3",
    30_000,
  );
  const codecs = await waitFor("HEVC pulled from n2", () => pulledCodecs(playbackUrl), 60_000);
  expect(codecs).toEqual(["aac", "hevc"]);
  expect((await admin.get(`/restreams/${id}`)).body.node).toBe("n2");
  const nodes = (await admin.get("/nodes")).body.items as NodeItem[];
  expect(nodes.find((node) => node.id === "n3")?.actors.chain).toBe(1);
}, 150_000);
