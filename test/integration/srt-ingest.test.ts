// SRT ingest end to end: an ffmpeg SRT caller publishes MPEG-TS to a channel's SRT ingest URL, the
// channel learns its codecs, and a restream remuxes it to a real nginx-rtmp. A wrong passphrase
// is refused; a key reset moves the listener to the new passphrase.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { ffprobeStreams, type MediaProcess, publishSrt, smallTsClip } from "../support/media.js";
import type { NginxRtmp } from "../support/nginx-rtmp.js";
import type { NodeProcess } from "../support/node-process.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { freeUdpPorts } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

let nginx: NginxRtmp;
let node: NodeProcess;
let admin: ApiClient;
let clip: string;
let setup: NodeWithNginx | undefined;
const callers: MediaProcess[] = [];

beforeAll(async () => {
  clip = await smallTsClip();
  const ports = await freeUdpPorts(4);
  setup = await startNodeWithNginx({ node: { env: { STREAMWELL_SRT_PORTS: ports.env } } });
  ({ nginx, node, admin } = setup);
}, 60_000);

afterAll(async () => {
  await Promise.all(callers.map((caller) => caller.stop()));
  await setup?.stop();
});

function caller(url: string, durationS?: number): MediaProcess {
  const process = publishSrt(url, clip, durationS === undefined ? {} : { loop: false, durationS });
  callers.push(process);
  return process;
}

const channelOf = async (id: string) => (await admin.get(`/channels/${id}`)).body;

it("takes H.264/AAC over SRT and restreams it to nginx-rtmp", async () => {
  const channel = (await admin.post("/channels", { name: "SRT in", srtIngest: true })).body;
  expect(channel.ingest.srt).toMatch(/^srt:\/\/127\.0\.0\.1:\d+\?passphrase=[\w-]{20,}$/);
  const destination = (await admin.post("/destinations", { name: "nginx", url: nginx.url("live") })).body;
  const restream = (
    await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "from-srt",
    })
  ).body;
  await admin.post(`/restreams/${restream.id}/start`);

  const publisher = caller(channel.ingest.srt);
  const live = await waitFor("channel live over SRT", async () => {
    const body = await channelOf(channel.id);
    return body.live ? body : undefined;
  });
  expect(live.codecs).toMatchObject({
    video: "h264",
    audio: "aac",
    width: 320,
    height: 180,
    profile: "High",
  });
  expect(live.codecs).toMatchObject({ sampleRate: 48000, channels: 2 });
  await waitFor(
    "streaming",
    async () => (await admin.get(`/restreams/${restream.id}`)).body.state === "streaming",
  );
  const streams = await ffprobeStreams(nginx.url("live", "from-srt"), 15_000);
  expect(streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);

  await publisher.stop();
  await waitFor("offline after the caller left", async () => !(await channelOf(channel.id)).live);
  caller(channel.ingest.srt);
  await waitFor(
    "live again: the listener took the next caller",
    async () => (await channelOf(channel.id)).live,
  );
  await admin.post(`/restreams/${restream.id}/stop`);
}, 90_000);

it("refuses a wrong passphrase; after a key reset only the new one gets in", async () => {
  const channel = (await admin.post("/channels", { name: "Guarded SRT", srtIngest: true })).body;
  const oldUrl: string = channel.ingest.srt;
  const wrong = caller(oldUrl.replace(/passphrase=.*/, "passphrase=not-the-passphrase"), 3);
  expect(await wrong.exited).not.toBe(0);
  expect((await channelOf(channel.id)).live).toBe(false);

  const reset = (await admin.post(`/channels/${channel.id}/stream-key`)).body;
  const newUrl: string = reset.ingest?.srt ?? (await channelOf(channel.id)).ingest.srt;
  expect(newUrl).not.toBe(oldUrl);
  // The listener restarts with the new passphrase a moment after the reset is stored.
  await waitFor("the old passphrase refused", async () => {
    const stale = caller(oldUrl, 2);
    return (await stale.exited) !== 0;
  });
  expect((await channelOf(channel.id)).live).toBe(false);
  caller(newUrl);
  await waitFor("live with the new passphrase", async () => (await channelOf(channel.id)).live);
  expect(node.output.join("\n")).not.toContain(newUrl.split("passphrase=")[1]);
}, 90_000);

it("stops listening while the srt feature is off, and listens again when it is on", async () => {
  const channel = (await admin.post("/channels", { name: "Switched", srtIngest: true })).body;
  caller(channel.ingest.srt);
  await waitFor("live", async () => (await channelOf(channel.id)).live);
  expect((await admin.put("/features", { srt: false })).status).toBe(200);
  await waitFor("the caller dropped", async () => !(await channelOf(channel.id)).live);
  const shut = caller(channel.ingest.srt, 2);
  expect(await shut.exited).not.toBe(0);
  await admin.put("/features", { srt: true });
  caller(channel.ingest.srt);
  await waitFor("live again", async () => (await channelOf(channel.id)).live);
}, 60_000);
