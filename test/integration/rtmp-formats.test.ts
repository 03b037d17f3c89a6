// Formats the RTMP ingest takes besides H.264 + AAC, from real publishers: MP3 audio from ffmpeg
// (libmp3lame), and HEVC over Enhanced RTMP (tags this test builds from libx265's output and sends
// with our own RTMP client: test/support/enhanced-rtmp.ts). The channel shows the codecs; an RTMP
// restream is Error unsupported_codec naming them, with no relay started; an output profile gets
// H.264 + AAC to nginx-rtmp; an SRT destination gets the codecs as they are (the HEVC remuxed by
// the node to MPEG-TS, which ffmpeg 5.1 reads where it cannot read Enhanced RTMP FLV). A Remote
// Playback caller gets the MP3 track, or the HEVC.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { publishEnhancedHevc } from "../support/enhanced-rtmp.js";
import { ffprobeStreams, type MediaProcess, publishMp3 } from "../support/media.js";
import type { NginxRtmp } from "../support/nginx-rtmp.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { codecsAt, RestreamApi } from "../support/restreams.js";
import { freeUdpPorts } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

let setup: NodeWithNginx | undefined;
let nginx: NginxRtmp;
let admin: ApiClient;
let nginxId: string;
let api: RestreamApi;
const stops: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  const ports = await freeUdpPorts(2);
  // SRT destinations on loopback: the test allows loopback targets (refused by default).
  setup = await startNodeWithNginx({
    node: { env: { STREAMWELL_SRT_PORTS: ports.env, STREAMWELL_SRT_PUSH_ALLOW: "127.0.0.0/8" } },
  });
  ({ nginx, admin } = setup);
  const node = setup.node;
  api = new RestreamApi(() => ({ admin, rtmpBase: node.rtmpBase }));
  nginxId = (await admin.post("/destinations", { name: "nginx", url: nginx.url("live") })).body.id;
}, 60_000);

afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await setup?.stop();
});

function track(process: MediaProcess): MediaProcess {
  stops.push(() => process.stop());
  return process;
}

const restream = (channelId: string, destinationId: string, streamKey: string, output?: unknown) =>
  api.startRestream(channelId, destinationId, streamKey, output);
const restreamOf = (id: string) => api.restream(id);

async function blocked(id: string) {
  return waitFor("unsupported_codec", async () => {
    const body = await restreamOf(id);
    return body.error?.code === "unsupported_codec" ? body : undefined;
  });
}

const streaming = (id: string) =>
  waitFor(`restream ${id} streaming`, async () => (await restreamOf(id)).state === "streaming", 45_000, 500);

/** A started Remote Playback of the channel, and the streams ffprobe finds as its caller. */
async function playbackStreams(channelId: string) {
  const playback = (await admin.post(`/channels/${channelId}/restreams`, { kind: "remote_playback" })).body;
  api.started.push(playback.id);
  expect((await admin.post(`/restreams/${playback.id}/start`)).status).toBe(200);
  return waitFor("the playback URL answering", () => ffprobeStreams(playback.playbackUrl, 20_000), 60_000);
}

async function expectNoRelay(id: string) {
  expect(await api.logText(id)).not.toContain("ffmpeg: relaying");
  expect((await restreamOf(id)).stats.restarts).toBe(0);
}

it("takes MP3 audio: shown on the channel, refused by RTMP by name, transcoded by a profile, carried by SRT and Remote Playback", async () => {
  const channel = (await admin.post("/channels", { name: "MP3 source" })).body;
  track(await publishMp3(channel.ingest.rtmp));
  const live = await waitFor("live with MP3", async () => {
    const body = (await admin.get(`/channels/${channel.id}`)).body;
    return body.codecs?.audio === "mp3" ? body : undefined;
  });
  expect(live.codecs).toMatchObject({
    video: "h264",
    audio: "mp3",
    width: 1280,
    height: 720,
    sampleRate: 44100,
  });

  const toRtmp = await restream(channel.id, nginxId, "mp3-as-is");
  const refused = await blocked(toRtmp);
  expect(refused.state).toBe("error");
  expect(refused.error?.message).toMatch(
    /RTMP destinations need H\.264 \+ AAC; the channel sends H\.264 \+ MP3/,
  );
  expect(refused.error?.retryAt).toBeNull();

  const toAac = await restream(channel.id, nginxId, "mp3-to-aac", {
    video: "copy",
    audio: { codec: "aac", bitrateKbps: 128 },
  });
  const srt = await api.srtRestream(channel.id);
  await streaming(toAac);
  expect(await codecsAt(nginx.url("live", "mp3-to-aac"))).toEqual(["aac", "h264"]);
  expect(await srt.codecs()).toEqual(["h264", "mp3"]);
  await expectNoRelay(toRtmp);

  // Remote Playback: the caller gets the MP3 track with its rate and channels, not video alone (the
  // remux of the FLV hub probes past the keyframe for a track with no sequence header).
  const pulled = await playbackStreams(channel.id);
  expect(pulled.find((s) => s.codec_type === "audio")).toEqual({
    codec_type: "audio",
    codec_name: "mp3",
    sample_rate: "44100",
    channels: 2,
  });
  expect(pulled.find((s) => s.codec_type === "video")?.codec_name).toBe("h264");
  await api.stopRestreams();
}, 180_000);

it("takes HEVC over Enhanced RTMP: shown on the channel, refused by RTMP, H.264 through a profile, HEVC to SRT and Remote Playback", async () => {
  const channel = (await admin.post("/channels", { name: "Enhanced RTMP HEVC" })).body;
  const publisher = await publishEnhancedHevc(Number(new URL(channel.ingest.rtmp).port), channel.streamKey);
  stops.push(() => publisher.stop());
  const live = await waitFor("live with HEVC", async () => {
    const body = (await admin.get(`/channels/${channel.id}`)).body;
    return body.codecs?.video === "hevc" && body.codecs.audio === "aac" ? body : undefined;
  });
  expect(live.codecs).toMatchObject({
    width: 640,
    height: 360,
    profile: "Main",
    sampleRate: 48000,
    channels: 2,
  });

  const toRtmp = await restream(channel.id, nginxId, "hevc-as-is");
  const refused = await blocked(toRtmp);
  expect(refused.error?.message).toMatch(/the channel sends HEVC \+ AAC: use an SRT destination/);

  const toH264 = await restream(channel.id, nginxId, "hevc-to-h264", {
    video: { codec: "h264", bitrateKbps: 1500 },
    audio: "copy",
  });
  const srt = await api.srtRestream(channel.id);
  await streaming(toH264);
  const atNginx = await ffprobeStreams(nginx.url("live", "hevc-to-h264"), 15_000);
  expect(atNginx.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
  expect(atNginx.find((s) => s.codec_type === "video")).toMatchObject({ width: 640, height: 360 });
  expect(await srt.codecs()).toEqual(["aac", "hevc"]);
  await expectNoRelay(toRtmp);
  expect((await playbackStreams(channel.id)).map((s) => s.codec_name).sort()).toEqual(["aac", "hevc"]);
  await api.stopRestreams();
}, 180_000);
