// Chain links for the formats RTMP ingest takes besides H.264 + AAC: a channel published to n1 with
// MP3 audio (ffmpeg libmp3lame) or with HEVC over Enhanced RTMP (tags built by the test), its
// restreams placed on n2 (n1 is drained, so it takes none) and fed by a chain link, which carries
// them as MPEG-TS. n2's destinations get what they asked for: an SRT destination the codecs as
// they are, nginx-rtmp H.264 + AAC through an output profile encoded on n2.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { publishEnhancedHevc } from "../support/enhanced-rtmp.js";
import { publishMp3 } from "../support/media.js";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import { codecsAt, RestreamApi } from "../support/restreams.js";
import { waitFor } from "../support/wait.js";

/** SRT destinations on loopback: the test allows loopback targets (refused by default). */
const SRT_PUSH = { STREAMWELL_SRT_PUSH_ALLOW: "127.0.0.0/8" };

let mesh: TestMesh;
let nginx: NginxRtmp;
let admin: ApiClient;
let nginxId: string;
let api: RestreamApi;
const stops: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  nginx = await startNginxRtmp();
  mesh = await startMesh([
    { id: "n1", env: SRT_PUSH },
    { id: "n2", env: SRT_PUSH },
  ]);
  admin = mesh.admin("n1");
  const n1 = mesh.node("n1");
  api = new RestreamApi(() => ({ admin, rtmpBase: n1.rtmpBase }));
  nginxId = (await admin.post("/destinations", { name: "nginx", url: nginx.url("live") })).body.id;
  const drained = await admin.post("/nodes/n1/drain");
  expect(drained.status, drained.text).toBe(200);
}, 90_000);

afterAll(async () => {
  await api?.stopRestreams();
  for (const stop of stops.splice(0).reverse()) await stop();
  await mesh?.stop();
  await nginx?.stop();
});

/** Waits until the restream streams, and returns the node it runs on. */
async function streamingOn(id: string): Promise<string> {
  return waitFor(
    `restream ${id} streaming`,
    async () => {
      const view = (await admin.get(`/restreams/${id}`)).body;
      return view.state === "streaming" ? (view.node as string) : undefined;
    },
    60_000,
    500,
  );
}

async function liveOnN1(channelId: string, audio: string, video: string) {
  await waitFor(
    `live on n1 with ${video} + ${audio}`,
    async () => {
      const body = (await admin.get(`/channels/${channelId}`)).body;
      return body.node === "n1" && body.codecs?.video === video && body.codecs.audio === audio;
    },
    30_000,
  );
}

it("carries an MP3 channel over a chain link: MP3 to SRT, AAC through a profile to RTMP, both on n2", async () => {
  const channel = (await admin.post("/channels", { name: "MP3 chained" })).body;
  const publisher = await publishMp3(`${mesh.node("n1").rtmpBase}/${channel.streamKey}`);
  stops.push(() => publisher.stop());
  await liveOnN1(channel.id, "mp3", "h264");

  const srt = await api.srtRestream(channel.id, 60_000);
  const toAac = await api.startRestream(channel.id, nginxId, "mp3-chained", {
    video: "copy",
    audio: { codec: "aac", bitrateKbps: 128 },
  });
  expect(await srt.codecs()).toEqual(["h264", "mp3"]);
  expect(await streamingOn(toAac)).toBe("n2");
  expect(await codecsAt(nginx.url("live", "mp3-chained"))).toEqual(["aac", "h264"]);
  expect((await admin.get(`/restreams/${srt.id}`)).body.node).toBe("n2");
}, 180_000);

it("carries an Enhanced RTMP HEVC channel over a chain link: HEVC to SRT, H.264 through a profile to RTMP, both on n2", async () => {
  const channel = (await admin.post("/channels", { name: "HEVC chained" })).body;
  const port = Number(new URL(mesh.node("n1").rtmpBase).port);
  const publisher = await publishEnhancedHevc(port, channel.streamKey);
  stops.push(() => publisher.stop());
  await liveOnN1(channel.id, "aac", "hevc");

  const srt = await api.srtRestream(channel.id, 60_000);
  const toH264 = await api.startRestream(channel.id, nginxId, "hevc-chained", {
    video: { codec: "h264", bitrateKbps: 1500 },
    audio: "copy",
  });
  expect(await srt.codecs()).toEqual(["aac", "hevc"]);
  expect(await streamingOn(toH264)).toBe("n2");
  expect(await codecsAt(nginx.url("live", "hevc-chained"))).toEqual(["aac", "h264"]);
  expect((await admin.get(`/restreams/${srt.id}`)).body.node).toBe("n2");
}, 180_000);
