// The native push engine on its own, in this process: a hub fed the test clip in real time, pushed
// to the node's own RTMP ingest server (with a fake handler that records what arrives and refuses
// unknown keys with an onStatus error), to a server that never answers, to nothing, and through a
// proxy too slow for the stream.
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RtmpTarget } from "../../node/defs/destination.js";
import type { RelayFailure, RelayProgress } from "../../node/defs/relay.js";
import type { ReaderOptions } from "../../node/hub/index.js";
import { RtmpServer } from "../../node/ingest/rtmp/server.js";
import { isKeyframe } from "../../node/media/flv.js";
import { NativeRtmpEngine } from "../../node/rtmp-push/engine.js";
import { parseDestinationUrl } from "../../node/urls/destination-url.js";
import { H264_AAC_720P } from "../support/codecs.js";
import { feedHub, type HubFeeder } from "../support/hub-feeder.js";
import { freePort } from "../support/nginx-rtmp.js";
import { FakeIngestHandler, RecordingLog } from "../support/rtmp-fake-handler.js";
import { startThrottleProxy, type ThrottleProxy } from "../support/throttle-proxy.js";
import { waitFor } from "../support/wait.js";

const GOOD_KEY = "good-key"; // the fake handler's one channel

let feeder: HubFeeder;
let handler: FakeIngestHandler;
let server: RtmpServer;
let port: number;
let silent: Server | undefined;
let proxy: ThrottleProxy | undefined;
const engine = new NativeRtmpEngine();

beforeEach(async () => {
  feeder = await feedHub();
  handler = new FakeIngestHandler();
  server = new RtmpServer({ handler, log: new RecordingLog() });
  port = await server.listen({ port: 0, host: "127.0.0.1" });
});

afterEach(async () => {
  feeder.stop();
  await proxy?.stop();
  proxy = undefined;
  await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
  silent = undefined;
  await server.close();
});

/** One push with everything it reported. */
function push(url: string, streamKey: string, reader: ReaderOptions = {}) {
  const progress: RelayProgress[] = [];
  const lines: string[] = [];
  const exits: (RelayFailure | null)[] = [];
  const target = parseDestinationUrl(url) as RtmpTarget;
  const handle = engine.start(
    feeder.hub.subscribe({ name: "test", ...reader }),
    { target, streamKey, insecureSkipVerify: false, secrets: [streamKey] },
    {
      progress: (p) => progress.push(p),
      log: (text) => lines.push(text),
      exit: (failure) => exits.push(failure),
    },
  );
  const exited = () => waitFor("the push's exit", () => (exits.length > 0 ? exits[0] : undefined), 40_000);
  return { handle, progress, lines, exits, exited };
}

describe("NativeRtmpEngine", () => {
  it("publishes the hub's tags from a keyframe, timestamps from 0, and stops cleanly", async () => {
    const run = push(`rtmp://127.0.0.1:${port}/live`, GOOD_KEY);
    const sink = await waitFor("the server's publish", () => handler.sinks[0], 10_000);
    await waitFor("2 s of media at the server", () => sink.tags.some((t) => t.timestamp >= 2_000), 10_000);
    expect(sink.codecsCalls).toEqual([H264_AAC_720P]);
    const frames = sink.tags.filter((t) => t.type !== 18 && t.data[1] !== 0);
    expect(isKeyframe(frames[0] ?? sink.tags[0]!)).toBe(true);
    expect(frames[0]?.timestamp).toBe(0);
    await waitFor(
      "a progress report with a bitrate",
      () => run.progress.some((p) => p.bitrateBps > 0),
      5_000,
    );
    const last = run.progress.at(-1) as RelayProgress;
    expect(last.bytesSent).toBeGreaterThan(100_000);
    expect(last.speed).toBeGreaterThan(0.8);
    expect(last.speed).toBeLessThan(1.5);

    await run.handle.stop();
    expect(run.exits).toEqual([null]);
    await waitFor("the server saw the publish end", () => sink.ends.length === 1, 5_000);
    expect(run.lines.join("\n")).toContain("NetStream.Publish.Start");
  }, 30_000);

  it("an unknown key is destination_rejected with the server's onStatus description, key redacted", async () => {
    const key = "an-unknown-stream-key";
    const run = push(`rtmp://127.0.0.1:${port}/live`, key);
    const failure = await run.exited();
    expect(failure?.code).toBe("destination_rejected");
    expect(failure?.message).toMatch(
      /publish refused by 127\.0\.0\.1:\d+: NetStream\.Publish\.BadName: unknown stream key/,
    );
    expect(run.lines.join("\n")).toContain("NetStream.Publish.BadName: unknown stream key");
    expect(JSON.stringify([failure, run.lines])).not.toContain(key);
    expect(run.exits).toHaveLength(1);
  }, 20_000);

  it("nothing listening is destination_unreachable; a server that never answers is destination_timeout", async () => {
    const refused = push(`rtmp://127.0.0.1:${await freePort()}/live`, GOOD_KEY);
    expect(await refused.exited()).toMatchObject({
      code: "destination_unreachable",
      message: expect.stringMatching(/refused/),
    });

    const held: Socket[] = [];
    silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent?.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    const silentPort = typeof address === "object" && address ? address.port : 0;
    const mute = push(`rtmp://127.0.0.1:${silentPort}/live`, GOOD_KEY);
    expect(await mute.exited()).toMatchObject({
      code: "destination_timeout",
      message: expect.stringMatching(/sent no S0, S1 and S2 of the handshake within 5 s/),
    });

    // A stop while connecting ends at once, cleanly.
    const stopped = push(`rtmp://127.0.0.1:${silentPort}/live`, GOOD_KEY);
    const before = Date.now();
    await stopped.handle.stop();
    expect(Date.now() - before).toBeLessThan(1_000);
    expect(stopped.exits).toEqual([null]);
    for (const socket of held) socket.destroy();
  }, 30_000);

  it("a destination slower than the stream fills its reader's bounded queue and is cut off", async () => {
    proxy = await startThrottleProxy({ targetPort: port, bytesPerSecond: 100_000 });
    const run = push(proxy.url("live"), GOOD_KEY, { maxQueueBytes: 1024 * 1024 });
    const failure = await run.exited();
    expect(failure).toMatchObject({
      code: "destination_timeout",
      message: expect.stringMatching(/too slowly and was cut off/),
    });
    expect(run.exits).toHaveLength(1);
  }, 60_000);
});
