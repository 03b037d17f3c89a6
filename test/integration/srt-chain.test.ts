// Two separate single-node deployments chained over SRT: A takes an RTMP publisher and restreams
// to B's channel SRT ingest URL (an ordinary SRT destination); B restreams on to nginx-rtmp.
import { afterAll, beforeAll, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import { ffprobeStreams, type MediaProcess, publish } from "../support/media.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import { freeUdpPorts } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

let nginx: NginxRtmp;
let a: NodeProcess;
let b: NodeProcess;
let publisher: MediaProcess | undefined;

beforeAll(async () => {
  nginx = await startNginxRtmp();
  const [portsA, portsB] = [await freeUdpPorts(2), await freeUdpPorts(2)];
  a = await startNode({
    dataDir: tempDataDir(),
    env: { STREAMWELL_SRT_PORTS: portsA.env, STREAMWELL_NODE_ID: "a" },
  });
  b = await startNode({
    dataDir: tempDataDir(),
    env: { STREAMWELL_SRT_PORTS: portsB.env, STREAMWELL_NODE_ID: "b" },
  });
}, 60_000);

afterAll(async () => {
  await publisher?.stop();
  await a?.stop();
  await b?.stop();
  await nginx?.stop();
  for (const node of [a, b]) if (node) removeDataDir(node.dataDir);
});

async function restream(api: ApiClient, channelId: string, url: string, streamKey: string): Promise<string> {
  const destination = (await api.post("/destinations", { name: "next hop", url })).body;
  const created = (
    await api.post(`/channels/${channelId}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey,
    })
  ).body;
  await api.post(`/restreams/${created.id}/start`);
  return created.id;
}

it("carries H.264/AAC from A over SRT into B's channel and on to nginx-rtmp", async () => {
  const apiA = await new ApiClient(a.baseUrl).login("admin", ADMIN_PASSWORD);
  const apiB = await new ApiClient(b.baseUrl).login("admin", ADMIN_PASSWORD);
  const channelB = (await apiB.post("/channels", { name: "From A", srtIngest: true })).body;
  const toNginx = await restream(apiB, channelB.id, nginx.url("live"), "chained");
  const channelA = (await apiA.post("/channels", { name: "Studio" })).body;
  const toB = await restream(apiA, channelA.id, channelB.ingest.srt, "unused-for-srt");

  publisher = await publish(`${a.rtmpBase}/${channelA.streamKey}`);
  await waitFor(
    "A streams to B",
    async () => (await apiA.get(`/restreams/${toB}`)).body.state === "streaming",
    30_000,
  );
  const live = await waitFor("B live over SRT", async () => {
    const body = (await apiB.get(`/channels/${channelB.id}`)).body;
    return body.live ? body : undefined;
  });
  expect(live.codecs).toMatchObject({ video: "h264", audio: "aac", width: 1280, height: 720 });
  await waitFor(
    "B streams to nginx",
    async () => (await apiB.get(`/restreams/${toNginx}`)).body.state === "streaming",
    30_000,
  );
  const streams = await ffprobeStreams(nginx.url("live", "chained"), 15_000);
  expect(streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
}, 120_000);
