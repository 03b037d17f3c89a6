// Session rules of the RTMP ingest through our own test client on loopback: timeouts, codec
// refusals, the app name, commands out of order, and that one bad connection never hurts another.
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import { RtmpServer } from "../../node/ingest/rtmp/server.js";
import { amfObject, encodeAmf0 } from "../../node/rtmp/amf0.js";
import { commandMessage } from "../../node/rtmp/commands.js";
import { UserControlEvent, userControlMessage, windowAckSizeMessage } from "../../node/rtmp/control.js";
import { MessageType } from "../../node/rtmp/messages.js";
import { TestRtmpClient } from "../support/rtmp-client.js";
import { FakeIngestHandler, RecordingLog } from "../support/rtmp-fake-handler.js";
import { waitFor } from "../support/rtmp-processes.js";

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/rtmp/${name}`, import.meta.url));
const AVC: FlvTag = { type: 9, timestamp: 0, data: fixture("avc-high-1280x720.bin") };
const AAC: FlvTag = { type: 8, timestamp: 0, data: fixture("aac-48000-stereo.bin") };

let handler: FakeIngestHandler;
let log: RecordingLog;
let server: RtmpServer;
let port: number;
const clients: TestRtmpClient[] = [];
const sockets: Socket[] = [];

beforeEach(async () => {
  handler = new FakeIngestHandler();
  log = new RecordingLog();
  server = new RtmpServer({
    handler,
    log,
    limits: { idleTimeoutMs: 400, handshakeTimeoutMs: 600, mediaTimeoutMs: 500 },
  });
  port = await server.listen({ port: 0, host: "127.0.0.1" });
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of sockets.splice(0)) s.destroy();
  await server.close();
  expect(server.sessionCount).toBe(0);
  expect(log.text()).not.toContain("good-key");
  for (const sink of handler.sinks) expect(sink.ends).toHaveLength(1);
});

async function client(options: { digest?: boolean } = {}): Promise<TestRtmpClient> {
  const c = await TestRtmpClient.connect(port, options);
  clients.push(c);
  return c;
}

async function rawSocket(): Promise<{ socket: Socket; closed: () => boolean }> {
  let closed = false;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ port, host: "127.0.0.1" }, () => resolve(s));
    s.once("error", reject);
  });
  sockets.push(socket);
  socket.on("close", () => {
    closed = true;
  });
  socket.on("error", () => {});
  socket.resume();
  return { socket, closed: () => closed };
}

async function live(): Promise<{ c: TestRtmpClient; streamId: number }> {
  const c = await client();
  const status = await c.publish("live", "good-key");
  expect(status.code).toBe("NetStream.Publish.Start");
  c.sendTag(AVC, status.streamId);
  c.sendTag(AAC, status.streamId);
  await waitFor("live", () => handler.sinks.length === 1);
  return { c, streamId: status.streamId };
}

const timeouts = (): unknown[] =>
  log.lines.filter((l) => l.message === "rtmp connection timed out").map((l) => l.fields.timeout);

describe("timeouts", () => {
  it("closes a connection that says nothing", async () => {
    const { closed } = await rawSocket();
    await waitFor("close", closed, 3_000);
    expect(timeouts()).toEqual(["idle"]);
  });

  it("closes a handshake that trickles in too slowly", async () => {
    const { socket, closed } = await rawSocket();
    const drip = setInterval(() => socket.write(Buffer.from([3])), 100);
    try {
      await waitFor("close", closed, 3_000);
    } finally {
      clearInterval(drip);
    }
    expect(timeouts()).toEqual(["handshake"]);
  });

  it("ends a publish that stops sending media", async () => {
    await live();
    const sink = handler.sinks[0]!;
    await waitFor("the media timeout", () => sink.ends.length === 1, 3_000);
    expect(sink.ends).toEqual(["timeout"]);
    expect(timeouts()).toEqual(["media"]);
  });

  it("keeps a publish that sends media", async () => {
    const { c, streamId } = await live();
    for (let i = 1; i <= 10; i++) {
      c.sendTag({ type: 8, timestamp: i * 100, data: Buffer.from([0xaf, 1, 0x21]) }, streamId);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(handler.sinks[0]?.ends).toEqual([]);
  });
});

describe("publish rules", () => {
  it("refuses an Enhanced RTMP video FourCC it cannot name before going live", async () => {
    const c = await client();
    const status = await c.publish("live", "good-key");
    c.sendTag({ type: 9, timestamp: 0, data: Buffer.from("9178797a7a0102", "hex") }, status.streamId);
    await c.until(() => c.commands.filter((x) => x.name === "onStatus").length === 2, "error onStatus");
    const info = c.commands.at(-1)?.args[0] as Record<string, unknown>;
    expect(info.code).toBe("NetStream.Publish.Rejected");
    expect(info.description).toMatch(/video "xyzz" is not supported/);
    await c.until(() => c.closed, "close");
    expect(handler.sinks).toHaveLength(0);
  });

  it("keeps a live publish whose audio turns to MP3, with the new codecs", async () => {
    const { c, streamId } = await live();
    // MPEG-1 layer III, 44.1 kHz, joint stereo: the frame header says so.
    c.sendTag({ type: 8, timestamp: 40, data: Buffer.from([0x2f, 0xff, 0xfb, 0x90, 0x44]) }, streamId);
    const sink = handler.sinks[0]!;
    await waitFor("the new codecs", () => sink.codecsCalls.some((codecs) => codecs.audio === "mp3"), 3_000);
    expect(sink.codecsCalls.at(-1)).toMatchObject({
      video: "h264",
      audio: "mp3",
      sampleRate: 44100,
      channels: 2,
    });
    expect(sink.ends).toEqual([]);
    c.close();
  });

  it("ends a live publish whose audio turns to an Enhanced RTMP FourCC it cannot name", async () => {
    const { c, streamId } = await live();
    c.sendTag({ type: 8, timestamp: 40, data: Buffer.from("907a7a7a7a00", "hex") }, streamId);
    await c.until(() => c.closed, "close");
    expect(handler.sinks[0]?.ends).toEqual(["unsupported_codec"]);
  });

  it("serves only the live application, and strips ?query from keys", async () => {
    const c = await client();
    expect(await c.publish("other", "good-key")).toMatchObject({
      code: "NetStream.Publish.BadName",
      description: "unknown application (use /live)",
    });
    const d = await client();
    expect((await d.publish("live?auth=1", "good-key?foo=bar")).code).toBe("NetStream.Publish.Start");
    expect(handler.requests.map((r) => [r.app, r.streamKey])).toEqual([["live", "good-key"]]);
  });

  it("answers a failing authorize with an error, and ignores an answer that comes too late", async () => {
    handler.authorize = async () => {
      throw new Error("store down");
    };
    const c = await client();
    expect((await c.publish("live", "good-key")).code).toBe("NetStream.Publish.BadConnection");
    let release: (() => void) | undefined;
    handler.authorize = () =>
      new Promise((resolve) => {
        release = () => resolve({ accept: true, channelId: "ch-good", input: "primary" });
      });
    const d = await client();
    await d.call("connect", amfObject({ app: "live" }));
    await d.call("createStream", null);
    d.send(commandMessage(5, 1, "publish", 0, null, "good-key", "live"));
    await waitFor("authorize to be asked", () => release !== undefined);
    d.close();
    await waitFor("the session to go", () => server.sessionCount === 0);
    release?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(handler.sinks).toHaveLength(0);
  });

  it("unpublish ends the sink, the connection may stay", async () => {
    const { c, streamId } = await live();
    c.unpublish("good-key", streamId);
    await waitFor("end", () => handler.sinks[0]?.ends.length === 1);
    expect(handler.sinks[0]?.ends).toEqual(["unpublished"]);
    expect(c.closed).toBe(false);
  });

  it("server.close() ends live publishers with server_closing", async () => {
    const { c } = await live();
    await server.close();
    expect(handler.sinks[0]?.ends).toEqual(["server_closing"]);
    await c.until(() => c.closed, "close");
  });
});

describe("protocol faults close that connection only", () => {
  it("an oversize message, a command before connect, a second connect", async () => {
    const { c: publisher, streamId } = await live();
    const sink = handler.sinks[0]!;
    const big = await client();
    big.socket.write(Buffer.from("030000009000000901000000", "hex")); // type 0: 9 MiB video message
    const early = await client();
    early.send(commandMessage(3, 0, "createStream", 2, null));
    const twice = await client();
    await twice.call("connect", amfObject({ app: "live" }));
    twice.send(commandMessage(3, 0, "connect", 3, amfObject({ app: "live" })));
    for (const c of [big, early, twice]) await c.until(() => c.closed, "close");
    const errors = log.lines
      .filter((l) => l.message === "rtmp connection closed on error")
      .map((l) => l.fields.error);
    expect(errors.sort()).toEqual(["MessageTooLargeError", "SessionError", "SessionError"]);
    publisher.sendTag({ type: 8, timestamp: 20, data: Buffer.from([0xaf, 1, 0x21]) }, streamId);
    await waitFor("the publisher's tag", () => sink.tagCount === 3);
    expect(sink.ends).toEqual([]);
  });

  it("answers a ping request and accepts AMF3 commands", async () => {
    const c = await client({ digest: true });
    c.send(userControlMessage(UserControlEvent.pingRequest, 1234));
    await c.until(
      () => c.messages.some((m) => m.typeId === MessageType.userControl && m.payload.readUInt16BE(0) === 7),
      "ping response",
    );
    const connect = commandMessage(3, 0, "connect", 1, amfObject({ app: "live" }));
    c.send({
      ...connect,
      typeId: MessageType.commandAmf3,
      payload: Buffer.concat([Buffer.from([0]), connect.payload]),
    });
    await c.until(
      () => c.commands.some((x) => x.name === "_result" && x.transactionId === 1),
      "connect result",
    );
    const chunkSize = c.messages.find((m) => m.typeId === MessageType.setChunkSize);
    expect(chunkSize?.payload.readUInt32BE(0)).toBe(4096);
    // A small acknowledgement window: the server acknowledges once we cross it.
    c.send(windowAckSizeMessage(500));
    c.send({
      csid: 3,
      streamId: 0,
      typeId: MessageType.commandAmf0,
      timestamp: 0,
      payload: encodeAmf0("noop", 0, null, "x".repeat(600)),
    });
    await c.until(() => c.messages.some((m) => m.typeId === MessageType.acknowledgement), "acknowledgement");
    const ack = c.messages.find((m) => m.typeId === MessageType.acknowledgement);
    expect(ack?.payload.readUInt32BE(0)).toBeGreaterThan(600);
  });
});
