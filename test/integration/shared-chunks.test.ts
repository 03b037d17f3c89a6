// Encode once, write many, with real receivers: pushes of one live channel (a hub fed the test clip
// in real time, in this process) through one native engine share each media message's chunk bytes
// (node/rtmp/chunk-cache.ts). nginx-rtmp and an ffmpeg `-listen 1` receiver read H.264 + AAC from
// shared chunks; a push that joins late starts on a keyframe at timestamp 0; a destination too slow
// for the stream is cut while the others keep going; pushes with different chunk sizes each arrive
// whole. The node's own RTMP ingest (with a recording handler) shows what each push delivered.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RtmpTarget } from "../../node/defs/destination.js";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import type { RelayFailure } from "../../node/defs/relay.js";
import type { ReaderOptions } from "../../node/hub/index.js";
import { RtmpServer } from "../../node/ingest/rtmp/server.js";
import { AUDIO, isKeyframe, isSequenceHeader, VIDEO } from "../../node/media/flv.js";
import { ChunkCache } from "../../node/rtmp/chunk-cache.js";
import { NativeRtmpEngine } from "../../node/rtmp-push/engine.js";
import { parseDestinationUrl } from "../../node/urls/destination-url.js";
import { H264_AAC_720P } from "../support/codecs.js";
import { feedHub, type HubFeeder } from "../support/hub-feeder.js";
import { ffprobeStreams, testClip } from "../support/media.js";
import { freePort, type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import { readFlvTags } from "../support/rtmp-client.js";
import { FakeIngestHandler, RecordingLog, type RecordingSink } from "../support/rtmp-fake-handler.js";
import { killAll, run } from "../support/rtmp-processes.js";
import { startThrottleProxy, type ThrottleProxy } from "../support/throttle-proxy.js";
import { waitFor } from "../support/wait.js";

let feeder: HubFeeder;
let handler: FakeIngestHandler;
let server: RtmpServer;
let ingestPort: number;
let nginx: NginxRtmp | undefined;
let proxy: ThrottleProxy | undefined;
let dir: string | undefined;
const handles: { stop(): Promise<void> }[] = [];

beforeEach(async () => {
  feeder = await feedHub();
  handler = new FakeIngestHandler();
  for (const key of ["a", "b", "c", "late", "small", "large"]) handler.keys.set(key, `ch-${key}`);
  server = new RtmpServer({ handler, log: new RecordingLog() });
  ingestPort = await server.listen({ port: 0, host: "127.0.0.1" });
});

afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.stop()));
  feeder.stop();
  await killAll();
  await nginx?.stop();
  nginx = undefined;
  await proxy?.stop();
  proxy = undefined;
  await server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** One push of the channel through `engine`, and how it ended. */
function push(engine: NativeRtmpEngine, url: string, streamKey: string, reader: ReaderOptions = {}) {
  const exits: (RelayFailure | null)[] = [];
  const handle = engine.start(
    feeder.hub.subscribe({ name: streamKey, ...reader }),
    { target: parseDestinationUrl(url) as RtmpTarget, streamKey, insecureSkipVerify: false, secrets: [] },
    { progress: () => {}, log: () => {}, exit: (failure) => exits.push(failure) },
  );
  handles.push(handle);
  return { exits };
}

const ingestUrl = (port = ingestPort) => `rtmp://127.0.0.1:${port}/live`;
const sinkOf = (key: string) => waitFor(`${key}'s publish`, () => handler.sinksFor(`ch-${key}`)[0], 15_000);
const isFrame = (tag: FlvTag) => (tag.type === AUDIO || tag.type === VIDEO) && !isSequenceHeader(tag);
const digest = (data: Buffer) => createHash("sha256").update(data).digest("hex");
/** Whether a TCP socket listens on `port` on 127.0.0.1 (state 0A in /proc/net/tcp). */
const listening = (port: number) =>
  readFileSync("/proc/net/tcp", "utf8").includes(
    `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")} 00000000:0000 0A`,
  );

describe("native pushes of one channel share their chunks", () => {
  it("nginx-rtmp and an ffmpeg -listen 1 receiver both read H.264 + AAC from shared chunks", async () => {
    const engine = new NativeRtmpEngine();
    nginx = await startNginxRtmp({ applications: [{ name: "live" }] });
    dir = mkdtempSync(join(tmpdir(), "streamwell-shared-chunks-"));
    const received = join(dir, "received.flv");
    const listenPort = await freePort();
    const listener = run("ffmpeg", [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-listen", "1", "-f", "flv"],
      ...["-i", `rtmp://127.0.0.1:${listenPort}/app/key`, "-t", "4", "-c", "copy", "-f", "flv", received],
    ]);
    // The listener takes one connection, so it is not probed: the kernel's table shows it bound.
    await waitFor("the ffmpeg listener bound", () => listening(listenPort), 15_000);
    // It leaves after 4 s of media (the push then sees a reset, which is not what this checks).
    push(engine, `rtmp://127.0.0.1:${listenPort}/app`, "key");
    push(engine, nginx.url("live"), "shared");
    const probed = await ffprobeStreams(nginx.url("live", "shared"), 15_000);
    expect(probed.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    expect((await listener.exited).code, listener.output.join("\n")).toBe(0);
    const file = await ffprobeStreams(received);
    expect(file.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
    // Two pushes in step: most messages were encoded by one and written as is by the other.
    const { shared, encoded } = engine.sharing();
    expect(shared).toBeGreaterThan(100);
    expect(shared).toBeGreaterThan(encoded / 3);
  }, 60_000);

  it("a push that joins late starts on a keyframe with its own timestamps from 0, then shares", async () => {
    const engine = new NativeRtmpEngine();
    push(engine, ingestUrl(), "a");
    const early = await sinkOf("a");
    await waitFor(
      "3 s of media at the first push",
      () => early.tags.some((t) => t.timestamp >= 3_000),
      15_000,
    );
    const sharedBefore = engine.sharing().shared;
    push(engine, ingestUrl(), "late");
    const late = await sinkOf("late");
    await waitFor("2 s of media at the late push", () => late.tags.some((t) => t.timestamp >= 2_000), 15_000);
    expect(late.codecsCalls).toEqual([H264_AAC_720P]);
    const frames = late.tags.filter(isFrame);
    expect(frames[0] && isKeyframe(frames[0])).toBe(true);
    expect(frames[0]?.timestamp).toBe(0);
    const video = frames.filter((t) => t.type === VIDEO).map((t) => t.timestamp);
    expect(video.every((t, i) => i === 0 || t > (video[i - 1] as number))).toBe(true);
    // 2 s of a 30 fps + audio stream is ~150 messages; nearly all came from the first push's chunks.
    expect(engine.sharing().shared - sharedBefore).toBeGreaterThan(100);
  }, 60_000);

  it("a destination too slow for the stream is cut; the others' bytes keep growing", async () => {
    const engine = new NativeRtmpEngine();
    proxy = await startThrottleProxy({ targetPort: ingestPort, bytesPerSecond: 100_000 });
    const slow = push(engine, proxy.url("live"), "c", { maxQueueBytes: 1024 * 1024 });
    push(engine, ingestUrl(), "a");
    push(engine, ingestUrl(), "b");
    const [a, b] = [await sinkOf("a"), await sinkOf("b")];
    const failure = await waitFor("the slow push's exit", () => slow.exits[0], 40_000);
    expect(failure).toMatchObject({ code: "destination_timeout", message: expect.stringMatching(/cut off/) });
    const atCut = [a.tagCount, b.tagCount];
    const grew = (sink: RecordingSink, from: number) => sink.tagCount > from + 100;
    await waitFor(
      "both fast pushes going on after the cut",
      () => grew(a, atCut[0] ?? 0) && grew(b, atCut[1] ?? 0),
      10_000,
    );
    expect([a.ends, b.ends]).toEqual([[], []]);
  }, 90_000);

  it("pushes with different chunk sizes share one cache and each delivers every frame intact", async () => {
    const chunks = new ChunkCache();
    const large = new NativeRtmpEngine({ chunks });
    const small = new NativeRtmpEngine({ chunks, chunkSize: 128 });
    push(large, ingestUrl(), "large");
    push(small, ingestUrl(), "small");
    const sinks = [await sinkOf("large"), await sinkOf("small")];
    const clip = new Set(readFlvTags(readFileSync(await testClip())).map((t) => digest(t.data)));
    for (const sink of sinks) {
      await waitFor("2 s of media", () => sink.tags.some((t) => t.timestamp >= 2_000), 15_000);
      expect(sink.codecsCalls).toEqual([H264_AAC_720P]);
      const frames = sink.tags.filter(isFrame);
      expect(frames.length).toBeGreaterThan(100);
      expect(frames.filter((t) => !clip.has(digest(t.data)))).toEqual([]);
    }
  }, 60_000);
});
