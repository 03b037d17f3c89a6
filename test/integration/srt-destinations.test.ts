// SRT out: an HEVC channel (SRT ingest) goes to an SRT destination and is refused, without a retry
// loop, by an RTMP one until the channel is live with H.264 again; an SRT Push retries an
// unreachable listener with backoff, and recovers when its listener is killed and comes back.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { ffprobeStreams, hevcClip, type MediaProcess, publishSrt, smallTsClip } from "../support/media.js";
import type { NginxRtmp } from "../support/nginx-rtmp.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { freeUdpPort, freeUdpPorts, probeSrtListener, srtSink } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

let nginx: NginxRtmp;
let admin: ApiClient;
const processes: MediaProcess[] = [];
let setup: NodeWithNginx | undefined;

beforeAll(async () => {
  const ports = await freeUdpPorts(4);
  // SRT Push goes to loopback listeners here: the test allows loopback targets (refused by default).
  setup = await startNodeWithNginx({
    node: { env: { STREAMWELL_SRT_PORTS: ports.env, STREAMWELL_SRT_PUSH_ALLOW: "127.0.0.0/8" } },
  });
  ({ nginx, admin } = setup);
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await setup?.stop();
});

function track(process: MediaProcess): MediaProcess {
  processes.push(process);
  return process;
}

const restreamOf = async (id: string) => (await admin.get(`/restreams/${id}`)).body;
const channelOf = async (id: string) => (await admin.get(`/channels/${id}`)).body;

/** The API takes a stream key for every destination restream; an SRT relay does not use it. */
async function restreamTo(channelId: string, destinationUrl: string, streamKey = "unused-for-srt") {
  const destination = (
    await admin.post("/destinations", { name: `to ${destinationUrl}`, url: destinationUrl })
  ).body;
  const restream = (
    await admin.post(`/channels/${channelId}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey,
    })
  ).body;
  await admin.post(`/restreams/${restream.id}/start`);
  return restream.id as string;
}

it("sends an HEVC channel to SRT; RTMP shows unsupported_codec without retrying, then streams once H.264 is back", async () => {
  const channel = (await admin.post("/channels", { name: "HEVC in", srtIngest: true })).body;
  const hevc = track(publishSrt(channel.ingest.srt, await hevcClip()));
  const live = await waitFor("live with HEVC", async () => {
    const body = await channelOf(channel.id);
    return body.live ? body : undefined;
  });
  expect(live.codecs).toMatchObject({ video: "hevc", audio: "aac", width: 640, height: 360 });

  const srtPort = await freeUdpPort();
  const passphrase = "receiver-passphrase";
  const probe = probeSrtListener(srtPort, 30_000, passphrase);
  const toSrt = await restreamTo(
    channel.id,
    `srt://127.0.0.1:${srtPort}?passphrase=${passphrase}&latency=200`,
  );
  expect((await probe).map((s) => s.codec_name).sort()).toEqual(["aac", "hevc"]);

  const toRtmp = await restreamTo(channel.id, nginx.url("live"), "hevc-out");
  const blocked = await waitFor("unsupported_codec", async () => {
    const body = await restreamOf(toRtmp);
    return body.error?.code === "unsupported_codec" ? body : undefined;
  });
  expect(blocked.state).toBe("error");
  expect(blocked.error.message).toMatch(/SRT destination/);
  expect(blocked.error.retryAt).toBeNull();
  // No retry loop: a few seconds later no ffmpeg was ever started for it.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const logs = (await admin.get(`/restreams/${toRtmp}/logs`)).body.lines.map((l: { text: string }) => l.text);
  expect(logs.filter((text: string) => text.startsWith("ffmpeg: relaying"))).toEqual([]);
  expect((await restreamOf(toRtmp)).stats.restarts).toBe(0);

  await hevc.stop();
  await waitFor("offline", async () => !(await channelOf(channel.id)).live);
  track(publishSrt(channel.ingest.srt, await smallTsClip()));
  await waitFor(
    "RTMP streams with H.264",
    async () => (await restreamOf(toRtmp)).state === "streaming",
    30_000,
  );
  const streams = await ffprobeStreams(nginx.url("live", "hevc-out"), 15_000);
  expect(streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
  await admin.post(`/restreams/${toSrt}/stop`);
  await admin.post(`/restreams/${toRtmp}/stop`);
}, 120_000);

it("retries an unreachable SRT Push with backoff, streams when the listener appears, and recovers from its death", async () => {
  const channel = (await admin.post("/channels", { name: "Push source", srtIngest: true })).body;
  track(publishSrt(channel.ingest.srt, await smallTsClip()));
  await waitFor("live", async () => (await channelOf(channel.id)).live);

  const port = await freeUdpPort();
  const push = (
    await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "srt_push",
      url: `srt://127.0.0.1:${port}?latency=120`,
    })
  ).body;
  expect(push.url).toBe(`srt://127.0.0.1:${port}?latency=120`);
  await admin.post(`/restreams/${push.id}/start`);
  const failed = await waitFor("destination_unreachable", async () => {
    const body = await restreamOf(push.id);
    return body.error?.code === "destination_unreachable" ? body : undefined;
  });
  expect(failed.state).toBe("error");
  expect(failed.error.message).toMatch(/no listener .* passphrase/);
  expect(Date.parse(failed.error.retryAt)).toBeGreaterThan(Date.now() - 1_000);

  let sink = track(srtSink(port));
  await waitFor(
    "streaming to the listener",
    async () => (await restreamOf(push.id)).state === "streaming",
    40_000,
  );

  process.kill(sink.pid, "SIGKILL");
  const lost = await waitFor(
    "error after the listener died",
    async () => {
      const body = await restreamOf(push.id);
      return body.state === "error" ? body : undefined;
    },
    30_000,
  );
  expect(lost.error.code).toBe("destination_unreachable");
  sink = track(srtSink(port));
  await waitFor("streaming again", async () => (await restreamOf(push.id)).state === "streaming", 60_000);
  await admin.post(`/restreams/${push.id}/stop`);
}, 150_000);

it("sends an SRT Push to the address it checked at start, not to a name ffmpeg resolves again (DNS rebinding)", async () => {
  // `*.localhost` names are loopback by rule (the target policy's), and this host's resolver does
  // not know them: ffmpeg given the name could not resolve it. Only the pinned 127.0.0.1 reaches.
  const channel = (await admin.post("/channels", { name: "Pinned", srtIngest: true })).body;
  track(publishSrt(channel.ingest.srt, await smallTsClip()));
  await waitFor("live", async () => (await channelOf(channel.id)).live);
  const port = await freeUdpPort();
  track(srtSink(port));
  const push = (
    await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "srt_push",
      url: `srt://pin-check.localhost:${port}`,
    })
  ).body;
  expect((await admin.post(`/restreams/${push.id}/start`)).status).toBe(200);
  await waitFor(
    "streaming to 127.0.0.1",
    async () => (await restreamOf(push.id)).state === "streaming",
    40_000,
  );
  const log = (await admin.get(`/restreams/${push.id}/logs`)).body;
  expect(JSON.stringify(log)).toContain(
    "sending to 127.0.0.1 (pin-check.localhost resolved and checked now)",
  );
  await admin.post(`/restreams/${push.id}/stop`);
}, 90_000);
