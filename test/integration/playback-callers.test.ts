// Remote Playback of a channel ingested over SRT (HEVC + AAC in MPEG-TS), several callers at once:
// srt-live-transmit callers record the raw bytes they receive, so what a caller gets first is seen
// as it was sent (ffmpeg's stream copy would drop leading non-keyframes itself). Four callers, the
// default maxCallers, pull at once; a fifth is refused in the SRT handshake while the four go on.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import { hevcClip, type MediaProcess, publishSrt } from "../support/media.js";
import type { NodeProcess } from "../support/node-process.js";
import { type NodeWithAdmin, startNodeWithAdmin } from "../support/node-with-admin.js";
import { freeUdpPorts } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

interface Caller {
  readonly child: ChildProcess;
  readonly file: string;
  readonly exited: Promise<unknown>;
}

let node: NodeProcess;
let admin: ApiClient;
let setup: NodeWithAdmin | undefined;
let publisher: MediaProcess | undefined;
const callers: Caller[] = [];

beforeAll(async () => {
  const ports = await freeUdpPorts(3);
  setup = await startNodeWithAdmin({ env: { STREAMWELL_SRT_PORTS: ports.env } });
  ({ node, admin } = setup);
}, 60_000);

afterAll(async () => {
  await Promise.all(callers.map(stopCaller));
  await publisher?.stop();
  await setup?.stop();
  for (const { file } of callers) rmSync(file, { force: true });
});

/** srt-live-transmit pulling the URL as an SRT caller, its bytes written to a file as they come. */
function startCaller(url: string): Caller {
  const file = join(tmpdir(), `streamwell-callers-${process.pid}-${callers.length + 1}.ts`);
  const child = spawn("srt-live-transmit", ["-q", "-a:no", `${url}&mode=caller`, "file://con"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  child.stdout?.pipe(createWriteStream(file));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const caller = { child, file, exited };
  callers.push(caller);
  return caller;
}

async function stopCaller(caller: Caller): Promise<void> {
  if (caller.child.exitCode !== null || caller.child.signalCode !== null) return;
  caller.child.kill("SIGINT");
  const timer = setTimeout(() => caller.child.kill("SIGKILL"), 5_000);
  await caller.exited;
  clearTimeout(timer);
}

const size = (caller: Caller) => statSync(caller.file, { throwIfNoEntry: false })?.size ?? 0;
const logsOf = async (id: string) => JSON.stringify((await admin.get(`/restreams/${id}/logs`)).body);

/** The codecs in a recording and the flags of its first video packet ("K_" for a keyframe). */
async function probe(file: string): Promise<{ codecs: string[]; firstVideoFlags: string }> {
  const { stdout: streams } = await execa("ffprobe", ["-v", "error", "-show_streams", "-of", "json", file]);
  const codecs = (JSON.parse(streams) as { streams: { codec_name: string }[] }).streams
    .map((s) => s.codec_name)
    .sort();
  const { stdout: packets } = await execa("ffprobe", [
    ...["-v", "error", "-select_streams", "v:0", "-show_packets", "-read_intervals", "%+#1"],
    ...["-show_entries", "packet=flags", "-of", "json", file],
  ]);
  const first = (JSON.parse(packets) as { packets: { flags: string }[] }).packets[0];
  return { codecs, firstVideoFlags: first?.flags ?? "none" };
}

it("serves an SRT-ingested HEVC channel to four callers at once, each from a keyframe, and refuses a fifth", async () => {
  const channel = (await admin.post("/channels", { name: "HEVC in", srtIngest: true })).body;
  const created = await admin.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" });
  expect(created.status).toBe(201);
  const { id, playbackUrl, maxCallers } = created.body as {
    id: string;
    playbackUrl: string;
    maxCallers: number;
  };
  expect(maxCallers).toBe(4);
  const passphrase = new URL(playbackUrl).searchParams.get("passphrase") as string;
  expect((await admin.post(`/restreams/${id}/start`)).status).toBe(200);

  publisher = publishSrt(channel.ingest.srt, await hevcClip());
  await waitFor(
    "the channel live over SRT",
    async () => (await admin.get(`/channels/${channel.id}`)).body.live,
  );
  await waitFor("the listener", async () => (await logsOf(id)).includes("listening for up to 4 callers"));

  const first = startCaller(playbackUrl);
  await waitFor(
    "streaming",
    async () => (await admin.get(`/restreams/${id}`)).body.state === "streaming",
    30_000,
  );
  await waitFor("the first caller's bytes", () => size(first) > 50_000, 30_000);
  // The second caller joins a GOP or more later: the hub must start it on the cached keyframe.
  const second = startCaller(playbackUrl);
  const third = startCaller(playbackUrl);
  const fourth = startCaller(playbackUrl);
  const four = [first, second, third, fourth];
  await waitFor("four callers receiving", () => four.every((caller) => size(caller) > 50_000), 30_000);

  const fifth = await execa(
    "ffmpeg",
    ["-hide_banner", "-loglevel", "error", "-i", playbackUrl, "-t", "1", "-c", "copy", "-f", "null", "-"],
    { reject: false, timeout: 30_000 },
  );
  expect(fifth.exitCode).not.toBe(0);
  const sizes = four.map(size);
  await waitFor("the four still receiving", () =>
    four.every((caller, i) => size(caller) > (sizes[i] ?? 0) + 20_000),
  );
  const logs = await logsOf(id);
  expect(logs).toMatch(/refused a caller from 127\.0\.0\.1:\d+: 4 callers already connected \(maxCallers\)/);
  for (const n of [1, 2, 3, 4])
    expect(logs).toMatch(new RegExp(`caller ${n} connected from 127\\.0\\.0\\.1:\\d+`));
  expect((await admin.get(`/restreams/${id}`)).body.state).toBe("streaming");

  await stopCaller(second);
  // The listener numbers callers as they connect: the second, third and fourth raced.
  await waitFor("a leave in the log", async () =>
    /caller [234] left \(disconnected\); 3 connected/.test(await logsOf(id)),
  );
  await Promise.all(four.map(stopCaller));
  await waitFor(
    "awaiting once every caller left",
    async () => (await admin.get(`/restreams/${id}`)).body.state === "awaiting_stream",
  );

  for (const caller of [first, second]) {
    const { codecs, firstVideoFlags } = await probe(caller.file);
    expect(codecs).toEqual(["aac", "hevc"]);
    expect(firstVideoFlags.startsWith("K")).toBe(true);
  }
  for (const text of [await logsOf(id), node.output.join("\n")]) expect(text).not.toContain(passphrase);
}, 180_000);

it("validates maxCallers and takes a new cap", async () => {
  const channel = (await admin.post("/channels", { name: "Capped" })).body;
  const bad = await admin.post(`/channels/${channel.id}/restreams`, {
    kind: "remote_playback",
    maxCallers: 0,
  });
  expect(bad.status).toBe(422);
  expect(bad.body.error.fields).toHaveProperty("maxCallers");
  const created = await admin.post(`/channels/${channel.id}/restreams`, {
    kind: "remote_playback",
    maxCallers: 2,
  });
  expect(created.body.maxCallers).toBe(2);
  const patched = await admin.patch(`/restreams/${created.body.id}`, { maxCallers: 8 });
  expect(patched.status).toBe(200);
  expect(patched.body.maxCallers).toBe(8);
  expect((await admin.patch(`/restreams/${created.body.id}`, { maxCallers: 65 })).status).toBe(422);
  expect((await admin.delete(`/restreams/${created.body.id}`)).status).toBe(204);
});
