// The RTMP ingest with real publishers on loopback: ffmpeg, GStreamer, an OBS-like client on our
// own chunk writer, a wrong key, a second publisher on a live channel, and RTMPS. The server runs
// in-process with a fake handler; every child process is killed by PID after each test.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import { RtmpServer } from "../../node/ingest/rtmp/server.js";
import { IngestStatsWindow } from "../../node/ingest/rtmp/stats.js";
import { isKeyframe, isSequenceHeader } from "../../node/media/flv.js";
import { H264_AAC_720P } from "../support/codecs.js";
import { attacker } from "../support/rtmp-attacker.js";
import { readFlvTags, TestRtmpClient } from "../support/rtmp-client.js";
import { FakeIngestHandler, RecordingLog } from "../support/rtmp-fake-handler.js";
import { ffmpegPublishArgs, killAll, run, waitFor } from "../support/rtmp-processes.js";

const KEYS = ["good-key", "bad-key"];
let work: string;
let handler: FakeIngestHandler;
let log: RecordingLog;
let server: RtmpServer;
let port: number;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "rtmp-ingest-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeEach(async () => {
  handler = new FakeIngestHandler();
  log = new RecordingLog();
  server = new RtmpServer({ handler, log });
  port = await server.listen({ port: 0, host: "127.0.0.1" });
});

afterEach(async () => {
  await killAll();
  await server.close();
  const text = log.text();
  for (const key of KEYS) expect(text).not.toContain(key);
  for (const sink of handler.sinks) {
    expect(sink.ends).toHaveLength(1);
    expect(sink.callsAfterEnd).toBe(0);
    expect(sink.tagsBeforeCodecs).toBe(0);
  }
});

const url = (key: string, scheme = "rtmp", p = port): string => `${scheme}://127.0.0.1:${p}/live/${key}`;
const firstFrame = (tags: FlvTag[]): FlvTag | undefined =>
  tags.find((t) => t.type === 9 && !isSequenceHeader(t));

describe("RTMP ingest with real publishers", () => {
  it("(1) ffmpeg publishes 1280x720 H.264 High + AAC: codecs, keyframe first, one end", async () => {
    const ffmpeg = run("ffmpeg", ffmpegPublishArgs(url("good-key"), { seconds: 3 }));
    const exit = await ffmpeg.exited;
    expect(exit.code, ffmpeg.output.join("\n")).toBe(0);
    await waitFor("the sink to end", () => handler.sinks[0]?.ends.length === 1);
    const sink = handler.sinks[0]!;
    expect(handler.sinks).toHaveLength(1);
    expect(sink.codecsCalls).toEqual([H264_AAC_720P]);
    expect(sink.tags[0]?.type).toBe(18);
    expect(sink.tags[0]?.data.subarray(0, 13).toString("latin1")).toBe("\u0002\u0000\nonMetaData");
    expect(isKeyframe(firstFrame(sink.tags)!)).toBe(true);
    expect(sink.tagCount).toBeGreaterThan(150);
    expect(sink.ends).toEqual(["unpublished"]);
    expect(sink.publisher.secure).toBe(false);
    const stats = new IngestStatsWindow();
    for (const tag of sink.tags) stats.add(tag);
    expect(stats.snapshot().fps).toBeGreaterThan(25);
    expect(stats.snapshot().keyframeIntervalSeconds).toBeCloseTo(1, 1);
  });

  it("(2) GStreamer (x264enc, avenc_aac, flvmux, rtmp2sink) publishes", async () => {
    // biome-ignore format: one gst-launch pipeline, kept readable
    const gst = run("gst-launch-1.0", [
      "-q",
      "videotestsrc", "num-buffers=90", "is-live=true", "!",
      "video/x-raw,format=I420,width=640,height=360,framerate=30/1", "!",
      "x264enc", "key-int-max=30", "tune=zerolatency", "speed-preset=superfast", "!", "h264parse", "!",
      "flvmux", "name=m", "streamable=true", "!", "rtmp2sink", `location=${url("good-key")}`,
      "audiotestsrc", "num-buffers=140", "is-live=true", "!", "audio/x-raw,rate=48000,channels=2", "!",
      "audioconvert", "!", "avenc_aac", "!", "aacparse", "!", "m.",
    ]);
    const exit = await gst.exited;
    expect(exit.code, gst.output.join("\n")).toBe(0);
    await waitFor("the sink to end", () => handler.sinks[0]?.ends.length === 1);
    const sink = handler.sinks[0]!;
    expect(sink.codecsCalls[0]).toMatchObject({
      video: "h264",
      audio: "aac",
      width: 640,
      height: 360,
      profile: "High",
      sampleRate: 48000,
      channels: 2,
    });
    expect(isKeyframe(firstFrame(sink.tags)!)).toBe(true);
    expect(sink.tags.filter((t) => t.type === 9).length).toBeGreaterThan(60);
    expect(sink.tags.filter((t) => t.type === 8).length).toBeGreaterThan(60);
  });

  it("(3) an OBS-like publisher: digest handshake, 4096-byte chunks, extended timestamps", async () => {
    const file = join(work, "obs.flv");
    const encode = run("ffmpeg", [
      ...ffmpegPublishArgs(file, { seconds: 2, rate: 30 }).filter((a) => a !== "-re"),
    ]);
    expect((await encode.exited).code, encode.output.join("\n")).toBe(0);
    const tags = readFlvTags(readFileSync(file));
    const client = await TestRtmpClient.connect(port, { digest: true, chunkSize: 4096 });
    expect(client.handshakeChecks).toEqual({ s1Digest: true, s2Signature: true });
    const status = await client.publish("live", "good-key");
    expect(status.code).toBe("NetStream.Publish.Start");
    // Start just below 2^24 ms so timestamps cross into extended ones mid-stream.
    const offset = 0xffffff - 500;
    for (const tag of tags) client.sendTag(tag, status.streamId, offset);
    await waitFor("all tags", () => handler.sinks[0]?.tagCount === tags.length);
    const sink = handler.sinks[0]!;
    expect(sink.codecsCalls[0]).toMatchObject({
      width: 1280,
      height: 720,
      profile: "High",
      sampleRate: 48000,
    });
    sink.tags.forEach((tag, i) => {
      expect(tag.type).toBe(tags[i]!.type);
      expect(tag.timestamp).toBe((tags[i]!.timestamp + offset) >>> 0);
      expect(tag.data.equals(tags[i]!.data), `tag ${i}`).toBe(true);
    });
    expect(sink.tags.some((t) => t.timestamp > 0xffffff)).toBe(true);
    expect(Math.max(...tags.map((t) => t.data.length))).toBeGreaterThan(4096);
    client.unpublish("good-key", status.streamId);
    await waitFor("unpublish", () => sink.ends.length === 1);
    expect(sink.ends).toEqual(["unpublished"]);
    client.close();
  });

  it("(4) a wrong key: ffmpeg fails, no sink starts, the server answered NetStream.Publish.BadName", async () => {
    const ffmpeg = run("ffmpeg", ffmpegPublishArgs(url("bad-key"), { seconds: 3, size: "320x240" }));
    const exit = await ffmpeg.exited;
    expect(exit.code).not.toBe(0);
    expect(ffmpeg.output.join("\n")).toContain("unknown stream key");
    expect(handler.sinks).toHaveLength(0);
    const refused = log.lines.filter((l) => l.message === "rtmp publish refused");
    expect(refused.map((l) => l.fields.code)).toEqual(["NetStream.Publish.BadName"]);
    // The same through our own client, which reads the onStatus itself.
    const client = await TestRtmpClient.connect(port);
    const status = await client.publish("live", "bad-key?token=1");
    expect(status).toMatchObject({ code: "NetStream.Publish.BadName", description: "unknown stream key" });
    await client.until(() => client.closed, "the server to close the connection");
    expect(handler.requests.map((r) => r.streamKey)).toEqual(["bad-key", "bad-key"]);
  });

  it("(5) a second publisher on a live channel is refused while the first keeps going", async () => {
    const first = run("ffmpeg", ffmpegPublishArgs(url("good-key"), { size: "320x240" }));
    await waitFor("the first publisher to be live", () => (handler.sinks[0]?.tagCount ?? 0) > 20);
    const sink = handler.sinks[0]!;
    const second = run("ffmpeg", ffmpegPublishArgs(url("good-key?x=1"), { seconds: 3, size: "320x240" }));
    const exit = await second.exited;
    expect(exit.code).not.toBe(0);
    expect(second.output.join("\n")).toContain("already publishing");
    const codes = log.lines.filter((l) => l.message === "rtmp publish refused").map((l) => l.fields.code);
    expect(codes).toEqual(["NetStream.Publish.BadConnection"]);
    const countAfterRefusal = sink.tagCount;
    await waitFor("more tags from the first publisher", () => sink.tagCount > countAfterRefusal + 20);
    expect(sink.ends).toEqual([]);
    expect(handler.sinks).toHaveLength(1);
    expect(first.running()).toBe(true);
    process.kill(first.pid, "SIGKILL");
    await waitFor("the first publisher's end", () => sink.ends.length === 1);
    expect(sink.ends).toEqual(["disconnected"]);
  });

  it("(6) RTMPS: ffmpeg publishes over TLS with a self-signed certificate", async () => {
    const tlsPort = await listenTls();
    const ffmpeg = run("ffmpeg", ffmpegPublishArgs(url("good-key", "rtmps", tlsPort), { seconds: 2 }));
    expect((await ffmpeg.exited).code, ffmpeg.output.join("\n")).toBe(0);
    await waitFor("the sink to end", () => handler.sinks[0]?.ends.length === 1);
    const sink = handler.sinks[0]!;
    expect(sink.codecsCalls[0]).toMatchObject({ video: "h264", audio: "aac", width: 1280, height: 720 });
    expect(sink.tagCount).toBeGreaterThan(100);
    expect(handler.requests[0]?.secure).toBe(true);
    expect(sink.publisher.secure).toBe(true);
  });

  it("(7) RTMPS: the per-address cap holds on the TLS listener, before the TLS handshake", async () => {
    const tlsPort = await listenTls();
    const cap = server.limits.maxConnectionsPerAddress;
    const from = (localAddress: string) =>
      new Promise<TLSSocket | undefined>((resolve) => {
        const raw = netConnect({ port: tlsPort, host: "127.0.0.1", localAddress });
        const socket = tlsConnect({ socket: raw, rejectUnauthorized: false });
        socket.once("secureConnect", () => resolve(socket));
        socket.once("error", () => resolve(undefined));
        socket.once("close", () => resolve(undefined));
      });
    const sockets: (TLSSocket | undefined)[] = [];
    try {
      for (let i = 0; i <= cap; i++) sockets.push(await from("127.0.0.7"));
      const other = await from("127.0.0.8");
      sockets.push(other);
      expect(sockets.slice(0, cap).every((socket) => socket !== undefined)).toBe(true);
      expect(sockets[cap]).toBeUndefined(); // the one past the cap: closed before TLS
      expect(other).toBeDefined(); // another address still gets in
      // The slots are the address's, whichever listener: the plain RTMP port is full for it too.
      const plain = await attacker(port, "127.0.0.7");
      plain.socket.destroy();
      expect(plain.handshaken).toBe(false);
    } finally {
      for (const socket of sockets) socket?.destroy();
    }
  });
});

/** Adds an RTMPS listener with a fresh self-signed certificate; resolves with its port. */
async function listenTls(): Promise<number> {
  const cert = join(work, "cert.pem");
  const key = join(work, "key.pem");
  // biome-ignore format: one openssl command line
  const openssl = run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
    "-days", "1", "-keyout", key, "-out", cert]);
  expect((await openssl.exited).code, openssl.output.join("\n")).toBe(0);
  return server.listen({
    port: 0,
    host: "127.0.0.1",
    tls: { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") },
  });
}
