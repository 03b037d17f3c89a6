// The product end to end: ffmpeg publishes to the node, a restream pushes to a real nginx-rtmp,
// and ffprobe at nginx sees H.264 + AAC. Then the publisher leaves and returns, the restream
// stops, and no ffmpeg is left behind.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { ffprobeStreams, type MediaProcess, publish } from "../support/media.js";
import type { NginxRtmp } from "../support/nginx-rtmp.js";
import { childPids, type NodeProcess } from "../support/node-process.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { waitFor } from "../support/wait.js";

let nginx: NginxRtmp;
let node: NodeProcess;
let publisher: MediaProcess | undefined;
let admin: ApiClient;
let setup: NodeWithNginx | undefined;

beforeAll(async () => {
  setup = await startNodeWithNginx();
  ({ nginx, node, admin } = setup);
});

afterAll(async () => {
  await publisher?.stop();
  await setup?.stop();
});

const stateOf = async (id: string) => (await admin.get(`/restreams/${id}`)).body.state as string;

it("restreams a live channel to nginx-rtmp, follows the publisher, and leaves no ffmpeg behind", async () => {
  const destination = (await admin.post("/destinations", { name: "nginx", url: nginx.url("live") })).body;
  const channel = (await admin.post("/channels", { name: "Main" })).body;
  const restream = (
    await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "out-key",
    })
  ).body;
  expect((await admin.post(`/restreams/${restream.id}/start`)).body.state).toBe("awaiting_stream");

  publisher = await publish(`${node.rtmpBase}/${channel.streamKey}`, { loop: true });
  const live = await waitFor("channel live", async () => {
    const body = (await admin.get(`/channels/${channel.id}`)).body;
    return body.live ? body : undefined;
  });
  expect(live.codecs).toMatchObject({ video: "h264", audio: "aac", width: 1280, height: 720 });
  await waitFor("streaming", async () => (await stateOf(restream.id)) === "streaming");

  const streams = await ffprobeStreams(nginx.url("live", "out-key"), 15_000);
  expect(streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);

  await publisher.stop();
  publisher = undefined;
  await waitFor(
    "awaiting after the publisher left",
    async () => (await stateOf(restream.id)) === "awaiting_stream",
  );

  publisher = await publish(`${node.rtmpBase}/${channel.streamKey}`, { loop: true });
  await waitFor("streaming again", async () => (await stateOf(restream.id)) === "streaming");

  expect((await admin.post(`/restreams/${restream.id}/stop`)).body.state).toBe("stopped");
  await waitFor("no ffmpeg left", () => childPids(node.pid).length === 0);
  const logs = (await admin.get(`/restreams/${restream.id}/logs`)).body;
  expect(logs.lines.length).toBeGreaterThan(0); // kept after the actor is gone
  expect(JSON.stringify(logs)).not.toContain("out-key");
}, 120_000);

it("refuses a publisher with a wrong stream key and keeps the channel offline", async () => {
  const channel = (await admin.post("/channels", { name: "Guarded" })).body;
  const intruder = await publish(`${node.rtmpBase}/not-the-key`, { durationS: 3 });
  expect(await intruder.exited).not.toBe(0);
  expect((await admin.get(`/channels/${channel.id}`)).body.live).toBe(false);
  expect(node.output.join("\n")).not.toContain(channel.streamKey);
}, 30_000);
