// The native push engine's pure parts: the client handshake against our own server handshake,
// timestamp rebasing, the progress meter, tags as RTMP messages, and which engine a restream gets.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import type {
  ListenerEngine,
  RelayEngine,
  RelayEvents,
  RelayInput,
  RelaySpec,
  TagSource,
} from "../../node/defs/relay.js";
import { EngineChoice } from "../../node/restreams/engine-choice.js";
import { decodeAmf0All, encodeAmf0 } from "../../node/rtmp/amf0.js";
import { HandshakeVersionError } from "../../node/rtmp/errors.js";
import { ServerHandshake } from "../../node/rtmp/handshake.js";
import { ClientHandshake } from "../../node/rtmp/handshake-client.js";
import { tagMessage } from "../../node/rtmp/media.js";
import { Csid } from "../../node/rtmp/messages.js";
import { PushMeter } from "../../node/rtmp-push/meter.js";
import { Timeline } from "../../node/rtmp-push/timeline.js";
import { parseDestinationUrl } from "../../node/urls/destination-url.js";

const video = (timestamp: number, first: number, second = 1): FlvTag => ({
  type: 9,
  timestamp,
  data: Buffer.from([first, second, 0, 0, 0]),
});
const KEYFRAME = 0x17;
const INTER = 0x27;
const audio = (timestamp: number, second = 1): FlvTag => ({
  type: 8,
  timestamp,
  data: Buffer.from([0xaf, second]),
});

describe("ClientHandshake", () => {
  it.each([true, false])("completes against the server handshake (digest %s), extra bytes kept", (digest) => {
    const client = new ClientHandshake({ digest });
    const server = new ServerHandshake();
    const answer = server.push(client.hello).reply as Buffer;
    const chunks = Buffer.from([1, 2, 3]);
    const step = client.push(Buffer.concat([answer.subarray(0, 100)]));
    expect(step.reply).toBeNull();
    const done = client.push(Buffer.concat([answer.subarray(100), chunks]));
    expect(client.state).toBe("done");
    expect(done.rest).toEqual(chunks);
    expect(server.push(done.reply as Buffer).rest).toEqual(Buffer.alloc(0));
    expect(server.state).toBe("done");
    expect(server.kind).toBe(digest ? "digest" : "plain");
    expect(client.checks).toEqual(digest ? { s1Digest: true, s2Signature: true } : null);
  });

  it("refuses a server that answers another RTMP version", () => {
    const client = new ClientHandshake({ digest: true });
    expect(() => client.push(Buffer.from([6]))).toThrow(HandshakeVersionError);
    expect(client.state).toBe("failed");
  });
});

describe("Timeline", () => {
  it("starts at 0 on the first frame; init tags before it go out at 0", () => {
    const timeline = new Timeline();
    expect(timeline.stamp({ type: 18, timestamp: 5_000, data: encodeAmf0("onMetaData") })).toBe(0);
    expect(timeline.stamp(video(5_000, KEYFRAME, 0))).toBe(0); // sequence header
    expect(timeline.stamp(video(90_000, KEYFRAME))).toBe(0);
    expect(timeline.stamp(audio(89_990))).toBe(0); // interleaved just before the keyframe
    expect(timeline.stamp(video(90_033, INTER))).toBe(33);
    expect(timeline.stamp(audio(91_000))).toBe(1_000);
  });

  it("follows the 32-bit wrap of the stream's timestamps", () => {
    const timeline = new Timeline();
    expect(timeline.stamp(video(2 ** 32 - 10, KEYFRAME))).toBe(0);
    expect(timeline.stamp(video(23, INTER))).toBe(33);
  });
});

describe("PushMeter", () => {
  it("reports the first flush at once, then once a second while bytes advance, never while stalled", () => {
    const meter = new PushMeter(0);
    expect(meter.due(40)).toBeNull(); // nothing flushed yet
    meter.flushed(100_000);
    meter.sent(1_000);
    expect(meter.due(40)).toEqual({ bytesSent: 100_000, bitrateBps: 0, speed: 0 });
    meter.flushed(400_000);
    meter.sent(2_000);
    expect(meter.due(500)).toBeNull(); // under a second since the last report
    expect(meter.due(2_000)).toEqual({ bytesSent: 500_000, bitrateBps: 2_000_000, speed: 1 });
    expect(meter.due(5_000)).toBeNull(); // stalled: no report, so the actor's watchdog can fire
  });

  it("measures over the last five seconds", () => {
    const meter = new PushMeter(0);
    for (let second = 1; second <= 10; second += 1) {
      meter.flushed(second <= 5 ? 1_000_000 : 100_000);
      meter.sent(second * (second <= 5 ? 1_000 : 500));
      meter.due(second * 1_000);
    }
    meter.flushed(100_000);
    meter.sent(5_500);
    const report = meter.due(11_000);
    expect(report?.bitrateBps).toBeCloseTo(800_000, -3);
    expect(report?.speed).toBeLessThan(0.6);
  });
});

describe("tagMessage", () => {
  it("wraps onMetaData in @setDataFrame and puts each kind on its own chunk stream", () => {
    const meta = tagMessage({ type: 18, timestamp: 7, data: encodeAmf0("onMetaData", 1) }, 1, 0);
    expect(decodeAmf0All(meta.payload)).toEqual(["@setDataFrame", "onMetaData", 1]);
    expect(meta).toMatchObject({ csid: Csid.data, streamId: 1, typeId: 18, timestamp: 0 });
    const cue = tagMessage({ type: 18, timestamp: 7, data: encodeAmf0("onCuePoint") }, 1, 7);
    expect(decodeAmf0All(cue.payload)).toEqual(["onCuePoint"]);
    expect(tagMessage(audio(1), 1, 1).csid).toBe(Csid.audio);
    expect(tagMessage(video(1, INTER), 1, 1)).toMatchObject({ csid: Csid.video, typeId: 9 });
  });
});

describe("EngineChoice", () => {
  const started: string[] = [];
  const fake = (name: string): RelayEngine & ListenerEngine => ({
    start: () => {
      started.push(name);
      return { stop: async () => {} };
    },
    serve: () => {
      started.push(`${name} listener`);
      return { send: () => true, hangUp: () => {}, stop: async () => {} };
    },
    remux: () => {
      started.push(`${name} remux`);
      return { stop: async () => {} };
    },
  });
  const native = {
    start: () => {
      started.push("native");
      return { stop: async () => {} };
    },
  };
  const tags: TagSource = { poll: () => undefined, whenEnded: () => new Promise(() => {}) };
  const events: RelayEvents = { progress: () => {}, log: () => {}, exit: () => {} };
  const spec = (url: string, engine: RelaySpec["engine"]): RelaySpec => ({
    target: parseDestinationUrl(url),
    streamKey: url.startsWith("srt") ? null : "key",
    insecureSkipVerify: false,
    secrets: [],
    engine,
  });
  const input = (withTags: boolean): RelayInput =>
    withTags
      ? { stream: new PassThrough(), container: "flv", tags }
      : { stream: new PassThrough(), container: "mpegts" };

  it.each([
    ["native", "rtmp://h/live", null, true, "native"],
    ["native", "rtmps://h/live", null, true, "native"],
    ["native", "rtmp://h/live", "ffmpeg", true, "ffmpeg"],
    ["ffmpeg", "rtmp://h/live", "native", true, "native"],
    ["ffmpeg", "rtmp://h/live", null, true, "ffmpeg"],
    ["native", "srt://h:9000", null, true, "ffmpeg"],
    ["native", "rtmp://h/live", null, false, "ffmpeg"], // a feed without tags (MPEG-TS)
  ] as const)(
    "node %s, %s, destination %s, tags %s -> %s",
    (nodeDefault, url, engine, withTags, expected) => {
      started.length = 0;
      new EngineChoice({ native, ffmpeg: fake("ffmpeg") }, nodeDefault).start(
        input(withTags),
        spec(url, engine),
        events,
      );
      expect(started).toEqual([expected]);
    },
  );

  it("leaves Remote Playback listeners and their remuxes to ffmpeg's engine", () => {
    started.length = 0;
    const choice = new EngineChoice({ native, ffmpeg: fake("ffmpeg") }, "native");
    const noop = () => {};
    choice.serve(
      { kind: "playback", port: 9000, passphrase: "p".repeat(16), maxCallers: 4 },
      { ...events, listening: noop, connected: noop, refused: noop, left: noop, drain: noop },
    );
    choice.remux(input(true), { data: noop, log: noop, exit: noop });
    expect(started).toEqual(["ffmpeg listener", "ffmpeg remux"]);
  });
});
