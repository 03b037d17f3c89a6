// Remote Playback end to end: a real node, ffmpeg publishing over RTMP, ffmpeg callers pulling the
// playbackUrl over SRT on loopback, one after the other (several at once over SRT ingest:
// playback-callers.test.ts). One SRT port in the node's range, so the 409 and the port's
// release on delete are seen too.
import { createSocket } from "node:dgram";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { type MediaProcess, publish } from "../support/media.js";
import { childPids, type NodeProcess } from "../support/node-process.js";
import { type NodeWithAdmin, startNodeWithAdmin } from "../support/node-with-admin.js";
import { waitFor } from "../support/wait.js";

/** 3 s of the 30 fps test clip. A frame count, not -t: with -copyts, -t counts from timestamp 0. */
const PULL_FRAMES = 90;

let node: NodeProcess;
let admin: ApiClient;
let setup: NodeWithAdmin | undefined;
let srtPort: number;
let publisher: MediaProcess | undefined;
const files: string[] = [];

beforeAll(async () => {
  srtPort = await freeUdpPort();
  setup = await startNodeWithAdmin({ env: { STREAMWELL_SRT_PORTS: `${srtPort}-${srtPort}` } });
  ({ node, admin } = setup);
});

afterAll(async () => {
  await publisher?.stop();
  await setup?.stop();
  for (const file of files) rmSync(file, { force: true });
});

it("serves the live RTMP channel to SRT callers, each starting on a fresh keyframe", async () => {
  const channel = (await admin.post("/channels", { name: "Playback" })).body;
  const created = await admin.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" });
  expect(created.status).toBe(201);
  const restream = created.body;
  const url: string = restream.playbackUrl;
  expect(url).toMatch(new RegExp(`^srt://127\\.0\\.0\\.1:${srtPort}\\?passphrase=[A-Za-z0-9_-]{20,}$`));
  const passphrase = new URL(url).searchParams.get("passphrase") as string;

  const full = await admin.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" });
  expect(full.status).toBe(409);
  expect(full.body.error.message).toContain("no free SRT port");

  expect((await admin.post(`/restreams/${restream.id}/start`)).body.state).toBe("awaiting_stream");
  expect(await udpFree(srtPort)).toBe(true); // the channel is not live: nothing listens yet

  publisher = await publish(`${node.rtmpBase}/${channel.streamKey}`, { loop: true });
  const publishedAt = Date.now();
  await waitFor("the listener", async () => !(await udpFree(srtPort)));
  expect(await stateOf(restream.id)).toBe("awaiting_stream");
  expect((await admin.get("/nodes")).body.items[0].actors).toMatchObject({ playback: 1, restream: 0 });
  expect(await metricsText()).toContain(`streamwell_node_actors{node="test-node",kind="playback"} 1`);

  const first = pull(url, "first");
  await waitFor("streaming while the caller pulls", async () => (await stateOf(restream.id)) === "streaming");
  const firstPull = await first;
  await waitFor(
    "awaiting after the caller left",
    async () => (await stateOf(restream.id)) === "awaiting_stream",
  );

  // A caller with the wrong passphrase gets nothing, and the listener stays for the next one.
  const intruder = await execa(
    "ffmpeg",
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-passphrase",
      "wrong-passphrase-0123",
      "-i",
      callerUrl(srtPort),
    ].concat(["-t", "1", "-c", "copy", "-f", "null", "-"]),
    { reject: false, timeout: 15_000 },
  );
  expect(intruder.exitCode).not.toBe(0);
  expect(await stateOf(restream.id)).toBe("awaiting_stream");

  // Let the listener that replaced the first caller's age, so stale data would show.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const secondPull = await pull(url, "second");
  for (const result of [firstPull, secondPull]) {
    expect(result.codecs).toEqual(["aac", "h264"]);
    expect(result.firstVideo.key_frame).toBe(1);
  }
  // The second caller starts at the channel's present (within a GOP of 1 s), not where the listener began.
  const streamTimeGap = secondPull.firstVideo.pts - firstPull.firstVideo.pts;
  const wallGap = (secondPull.startedAt - firstPull.startedAt) / 1000;
  expect(streamTimeGap).toBeGreaterThan(wallGap - 1.5);
  expect(firstPull.firstVideo.pts).toBeGreaterThan((firstPull.startedAt - publishedAt) / 1000 - 2);

  const logs = JSON.stringify((await admin.get(`/restreams/${restream.id}/logs`)).body);
  expect(logs).toMatch(/caller 1 connected from 127\.0\.0\.1:\d+ \(1 of 4\)/);
  expect(logs).toContain("caller 1 left");
  for (const text of [logs, node.output.join("\n")]) expect(text).not.toContain(passphrase);

  await publisher.stop();
  publisher = undefined;
  await waitFor(
    "awaiting with the channel offline",
    async () => (await stateOf(restream.id)) === "awaiting_stream",
  );
  await waitFor("no listener while offline", () => udpFree(srtPort));

  publisher = await publish(`${node.rtmpBase}/${channel.streamKey}`, { loop: true });
  await waitFor("listening again", async () => !(await udpFree(srtPort)));
  expect((await admin.post(`/restreams/${restream.id}/stop`)).body.state).toBe("stopped");
  await waitFor("no ffmpeg left", () => childPids(node.pid).length === 0);
  expect(await udpFree(srtPort)).toBe(true);

  expect((await admin.delete(`/restreams/${restream.id}`)).status).toBe(204);
  const again = await admin.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" });
  expect(again.status).toBe(201);
  expect(again.body.playbackUrl).toContain(`:${srtPort}?`);
}, 150_000);

const stateOf = async (id: string) => (await admin.get(`/restreams/${id}`)).body.state as string;

async function metricsText(): Promise<string> {
  return (await fetch(`${node.baseUrl}/metrics`)).text();
}

function callerUrl(port: number): string {
  return `srt://127.0.0.1:${port}?mode=caller`;
}

interface PullResult {
  readonly startedAt: number;
  readonly codecs: string[];
  readonly firstVideo: { key_frame: number; pts: number };
}

/** Pulls PULL_FRAMES of the URL as a user would (`ffmpeg -i URL`), keeping the stream's timestamps. */
async function pull(url: string, name: string): Promise<PullResult> {
  const file = join(tmpdir(), `streamwell-playback-${process.pid}-${name}.ts`);
  files.push(file);
  const startedAt = Date.now();
  await execa(
    "ffmpeg",
    [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-i",
      url,
      "-frames:v",
      String(PULL_FRAMES),
      "-c",
      "copy",
    ].concat(["-copyts", "-f", "mpegts", file]),
    { timeout: 20_000 },
  );
  const { stdout } = await execa("ffprobe", [
    ...["-v", "error", "-show_streams", "-show_frames", "-read_intervals", "%+#1"],
    ...[
      "-select_streams",
      "v:0",
      "-show_entries",
      "stream=codec_name:frame=key_frame,pts_time",
      "-of",
      "json",
    ],
    file,
  ]);
  const video = JSON.parse(stdout) as { frames: { key_frame: number; pts_time: string }[] };
  const { stdout: all } = await execa("ffprobe", ["-v", "error", "-show_streams", "-of", "json", file]);
  const streams = (JSON.parse(all) as { streams: { codec_name: string }[] }).streams;
  const frame = video.frames[0];
  if (!frame) throw new Error(`${name} pull: no video frame`);
  return {
    startedAt,
    codecs: streams.map((s) => s.codec_name).sort(),
    firstVideo: { key_frame: frame.key_frame, pts: Number(frame.pts_time) },
  };
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** Whether the UDP port can be bound on 127.0.0.1 now, i.e. no SRT listener holds it. */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}
