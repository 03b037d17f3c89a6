// Output profiles: restreams with a profile read a shared encoder instead of the channel. HEVC over
// SRT reaches an RTMP server as H.264 + AAC at <= 720 lines; two restreams with the same profile
// run one encoder process between them; an H.264 1080p channel goes out at 720p through a profile
// while a `copy` restream of the same channel still carries 1080p; a profile that copies HEVC video
// carries it to SRT as it is and is refused by RTMP ("RTMP needs H.264") until it encodes the video.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import {
  ffmpegProcess,
  ffprobeStreams,
  fullHdClip,
  hevcClip,
  type MediaProcess,
  publishSrt,
} from "../support/media.js";
import type { NginxRtmp } from "../support/nginx-rtmp.js";
import { childPids } from "../support/node-process.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { freeUdpPort, freeUdpPorts, probeSrtListener } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

let setup: NodeWithNginx | undefined;
let nginx: NginxRtmp;
let admin: ApiClient;
let destinationId: string;
const processes: MediaProcess[] = [];

const PROFILE_720 = {
  video: { codec: "h264", bitrateKbps: 2500, maxHeight: 720 },
  audio: { codec: "aac", bitrateKbps: 128 },
};

beforeAll(async () => {
  const ports = await freeUdpPorts(2);
  // SRT Push goes to a loopback listener here: the test allows loopback targets (refused by default).
  setup = await startNodeWithNginx({
    node: { env: { STREAMWELL_SRT_PORTS: ports.env, STREAMWELL_SRT_PUSH_ALLOW: "127.0.0.0/8" } },
  });
  ({ nginx, admin } = setup);
  destinationId = (await admin.post("/destinations", { name: "nginx", url: nginx.url("live") })).body.id;
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await setup?.stop();
});

function track(process: MediaProcess): MediaProcess {
  processes.push(process);
  return process;
}

async function startRestream(
  channelId: string,
  streamKey: string,
  output?: unknown,
  destination = destinationId,
) {
  const created = await admin.post(`/channels/${channelId}/restreams`, {
    kind: "destination",
    destinationId: destination,
    streamKey,
    ...(output === undefined ? {} : { output }),
  });
  expect(created.status).toBe(201);
  await admin.post(`/restreams/${created.body.id}/start`);
  return created.body.id as string;
}

const streaming = (id: string) =>
  waitFor(
    `restream ${id} streaming`,
    async () => (await admin.get(`/restreams/${id}`)).body.state === "streaming",
    45_000,
    500,
  );

/** The node's ffmpeg children that encode H.264 (the shared encoders), by their command lines. */
function encoderPids(): number[] {
  const nodePid = setup?.node.pid as number;
  return childPids(nodePid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("libx264");
    } catch {
      return false;
    }
  });
}

async function videoAt(key: string) {
  const streams = await ffprobeStreams(nginx.url("live", key), 15_000);
  return {
    codecs: streams.map((s) => s.codec_name).sort(),
    height: streams.find((s) => s.codec_type === "video")?.height,
  };
}

/** A channel live with HEVC + AAC from a libx265 clip published over SRT. */
async function hevcChannel(name: string) {
  const channel = (await admin.post("/channels", { name, srtIngest: true })).body;
  track(publishSrt(channel.ingest.srt, await hevcClip()));
  await waitFor(
    "live with HEVC",
    async () => (await admin.get(`/channels/${channel.id}`)).body.codecs?.video === "hevc",
  );
  return channel as { id: string };
}

it("sends an HEVC channel (SRT) to RTMP through a 720p H.264 profile, one encoder for two restreams", async () => {
  const channel = await hevcChannel("HEVC source");

  const first = await startRestream(channel.id, "hevc-a", PROFILE_720);
  const second = await startRestream(channel.id, "hevc-b", PROFILE_720);
  await streaming(first);
  await streaming(second);
  expect((await admin.get(`/restreams/${first}`)).body.output).toEqual(PROFILE_720);

  for (const key of ["hevc-a", "hevc-b"]) {
    const probed = await videoAt(key);
    expect(probed.codecs).toEqual(["aac", "h264"]);
    expect(probed.height).toBeLessThanOrEqual(720);
  }
  expect(encoderPids()).toHaveLength(1);

  // The last restream out stops the encoder.
  await admin.post(`/restreams/${first}/stop`);
  expect(encoderPids()).toHaveLength(1);
  await admin.post(`/restreams/${second}/stop`);
  await waitFor("the encoder gone", () => encoderPids().length === 0, 20_000);
}, 150_000);

it("scales an H.264 1080p channel to 720p for a profile, and leaves a copy restream at 1080p", async () => {
  const channel = (await admin.post("/channels", { name: "1080p source" })).body;
  track(
    ffmpegProcess([
      "-re",
      "-stream_loop",
      "-1",
      "-i",
      await fullHdClip(),
      "-c",
      "copy",
      "-f",
      "flv",
      channel.ingest.rtmp,
    ]),
  );
  await waitFor(
    "live at 1080p",
    async () => (await admin.get(`/channels/${channel.id}`)).body.codecs?.height === 1080,
  );

  const scaled = await startRestream(channel.id, "scaled", PROFILE_720);
  const copied = await startRestream(channel.id, "copied");
  await streaming(scaled);
  await streaming(copied);
  expect(await videoAt("scaled")).toEqual({ codecs: ["aac", "h264"], height: 720 });
  expect(await videoAt("copied")).toEqual({ codecs: ["aac", "h264"], height: 1080 });
  expect(encoderPids()).toHaveLength(1);
}, 150_000);

it("copies HEVC video through a profile to SRT, and refuses it to RTMP until the profile encodes H.264", async () => {
  const channel = await hevcChannel("HEVC copied");
  const copyVideo = { video: "copy", audio: { codec: "aac", bitrateKbps: 96 } };

  const toRtmp = await startRestream(channel.id, "hevc-copied", copyVideo);
  const blocked = await waitFor("unsupported_codec", async () => {
    const body = (await admin.get(`/restreams/${toRtmp}`)).body;
    return body.error?.code === "unsupported_codec" ? body : undefined;
  });
  expect(blocked.state).toBe("error");
  expect(blocked.error.message).toBe(
    "RTMP needs H.264 video: the output profile copies the channel's HEVC; choose an H.264 video encoding, or use an SRT destination",
  );
  expect(blocked.error.retryAt).toBeNull();

  const srtPort = await freeUdpPort();
  const srtDestination = (
    await admin.post("/destinations", { name: "SRT receiver", url: `srt://127.0.0.1:${srtPort}?latency=200` })
  ).body.id as string;
  const probe = probeSrtListener(srtPort, 45_000);
  await startRestream(channel.id, "unused-for-srt", copyVideo, srtDestination);
  expect((await probe).map((s) => s.codec_name).sort()).toEqual(["aac", "hevc"]);

  // The RTMP restream's profile now encodes the video: it streams H.264.
  const patched = await admin.patch(`/restreams/${toRtmp}`, { output: PROFILE_720 });
  expect(patched.status, patched.text).toBe(200);
  await streaming(toRtmp);
  expect((await videoAt("hevc-copied")).codecs).toEqual(["aac", "h264"]);
}, 150_000);
