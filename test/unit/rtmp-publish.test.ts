// The publish pipeline (codecs before tags, held tags, refusals, exactly one end) and the
// live stats window, driven with real sequence headers from test/fixtures/rtmp/.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import { SinkError } from "../../node/ingest/rtmp/errors.js";
import { Publish } from "../../node/ingest/rtmp/publish.js";
import { sessionStateMachine } from "../../node/ingest/rtmp/session-state.js";
import { IngestStatsWindow } from "../../node/ingest/rtmp/stats.js";
import { IllegalTransitionError } from "../../node/kit/state-machine.js";
import { AmfEcmaArray, amfObject, encodeAmf0 } from "../../node/rtmp/amf0.js";
import { H264_AAC_720P } from "../support/codecs.js";
import { FakeIngestHandler } from "../support/rtmp-fake-handler.js";

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/rtmp/${name}`, import.meta.url));
const AVC_HEADER: FlvTag = { type: 9, timestamp: 0, data: fixture("avc-high-1280x720.bin") };
const AAC_HEADER: FlvTag = { type: 8, timestamp: 0, data: fixture("aac-48000-stereo.bin") };
const keyframe = (ts: number): FlvTag => ({
  type: 9,
  timestamp: ts,
  data: Buffer.from([0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65]),
});
const interframe = (ts: number): FlvTag => ({
  type: 9,
  timestamp: ts,
  data: Buffer.from([0x27, 1, 0, 0, 0, 0, 0, 0, 1, 0x41]),
});
const audioFrame = (ts: number): FlvTag => ({
  type: 8,
  timestamp: ts,
  data: Buffer.from([0xaf, 1, 0x21, 0x10]),
});
const PUBLISHER = { id: "p1", remoteAddress: "127.0.0.1", secure: false, disconnect: () => {} };
const LIMITS = { probeMaxMs: 2_000, probeMaxBytes: 1_000_000 };

function metadata(props: Record<string, number>): { tag: FlvTag; values: unknown[] } {
  const array = new AmfEcmaArray(amfObject(props));
  return {
    tag: { type: 18, timestamp: 0, data: encodeAmf0("onMetaData", array) },
    values: ["onMetaData", array],
  };
}

function setup(): { handler: FakeIngestHandler; publish: Publish } {
  const handler = new FakeIngestHandler();
  return { handler, publish: new Publish(handler, "ch-good", PUBLISHER, LIMITS) };
}

describe("Publish", () => {
  it("holds tags until both sequence headers are known, then codecs first, then the tags in order", () => {
    const { handler, publish } = setup();
    const meta = metadata({ videocodecid: 7, audiocodecid: 10, width: 1280 });
    expect(publish.script(meta.tag, meta.values as never)).toBeNull();
    expect(publish.media(AVC_HEADER)).toBeNull();
    expect(handler.sinks).toHaveLength(0);
    expect(publish.media(AAC_HEADER)).toBeNull();
    const sink = handler.sinks[0]!;
    expect(publish.state).toBe("live");
    expect(sink.tagsBeforeCodecs).toBe(0);
    expect(sink.codecsCalls).toEqual([H264_AAC_720P]);
    expect(sink.tags).toEqual([meta.tag, AVC_HEADER, AAC_HEADER]);
    publish.media(keyframe(0));
    expect(sink.tags).toHaveLength(4);
  });

  it("goes live on the video header alone when metadata says there is no audio", () => {
    const { handler, publish } = setup();
    const meta = metadata({ videocodecid: 7 });
    publish.script(meta.tag, meta.values as never);
    publish.media(AVC_HEADER);
    expect(handler.sinks[0]?.codecsCalls[0]).toMatchObject({ video: "h264", audio: null, width: 1280 });
  });

  it("without metadata, calls a missing track absent once the probe budget (media time) is spent", () => {
    const { handler, publish } = setup();
    publish.media(AVC_HEADER);
    for (let ts = 0; ts < 1_990; ts += 33) publish.media(ts % 990 === 0 ? keyframe(ts) : interframe(ts));
    expect(handler.sinks).toHaveLength(0);
    publish.media(interframe(2_000));
    const sink = handler.sinks[0]!;
    expect(sink.codecsCalls[0]).toMatchObject({ video: "h264", audio: null });
    expect(sink.tags[0]).toBe(AVC_HEADER);
    expect(sink.tagCount).toBe(1 + 61 + 1);
  });

  it("goes live once 2,000 tags are held, however small (objects, not only bytes)", () => {
    const { handler, publish } = setup();
    publish.media(AVC_HEADER);
    for (let i = 1; i < 1_999; i++) publish.media(interframe(0));
    expect(handler.sinks).toHaveLength(0);
    publish.media(interframe(0));
    expect(handler.sinks[0]?.tagCount).toBe(2_000);
  });

  it("counts a track seen from its first frame when no sequence header came first", () => {
    const { handler, publish } = setup();
    publish.media(audioFrame(0));
    publish.media(AVC_HEADER);
    expect(handler.sinks[0]?.codecsCalls[0]).toMatchObject({ video: "h264", audio: "aac", sampleRate: null });
    publish.media(AAC_HEADER);
    expect(handler.sinks[0]?.codecsCalls[1]).toMatchObject({ audio: "aac", sampleRate: 48000 });
  });

  it("refuses an unsupported codec before going live: the sink is never started", () => {
    const { handler, publish } = setup();
    const refusal = publish.media({ type: 9, timestamp: 0, data: Buffer.from("9178797a7a0102", "hex") });
    expect(refusal).toMatchObject({ accept: false, reason: "unsupported" });
    expect(refusal?.message).toMatch(/video "xyzz" is not supported/);
    expect(handler.sinks).toHaveLength(0);
  });

  it("refuses an unsupported codec after going live (the caller then ends it)", () => {
    const { handler, publish } = setup();
    publish.media(AVC_HEADER);
    publish.media(AAC_HEADER);
    const refusal = publish.media({ type: 8, timestamp: 10, data: Buffer.from("907a7a7a7a00", "hex") });
    expect(refusal?.message).toMatch(/Enhanced RTMP audio codec is not supported/);
    publish.end("unsupported_codec");
    expect(handler.sinks[0]?.ends).toEqual(["unsupported_codec"]);
  });

  it("reports started() refusing (a second publisher won the race)", () => {
    const { handler, publish } = setup();
    handler.live.add("ch-good");
    publish.media(AVC_HEADER);
    expect(publish.media(AAC_HEADER)).toMatchObject({ accept: false, reason: "already_live" });
    expect(publish.state).toBe("ended");
  });

  it("tells the sink again when a new sequence header changes the codecs", () => {
    const { handler, publish } = setup();
    publish.media(AVC_HEADER);
    publish.media(AAC_HEADER);
    publish.media(AVC_HEADER); // same again: no new call
    publish.media({ type: 9, timestamp: 5000, data: fixture("avc-baseline-640x360.bin") });
    const calls = handler.sinks[0]!.codecsCalls;
    expect(calls.map((c) => c.width)).toEqual([1280, 640]);
  });

  it("ends exactly once and passes nothing after the end", () => {
    const { handler, publish } = setup();
    publish.media(AVC_HEADER);
    publish.media(AAC_HEADER);
    publish.end("unpublished");
    publish.end("disconnected");
    publish.media(keyframe(40));
    const sink = handler.sinks[0]!;
    expect(sink.ends).toEqual(["unpublished"]);
    expect(sink.callsAfterEnd).toBe(0);
  });

  it("a throwing sink ends the publish once and surfaces as SinkError", () => {
    const { handler, publish } = setup();
    publish.media(AVC_HEADER);
    publish.media(AAC_HEADER);
    const sink = handler.sinks[0]!;
    sink.tag = () => {
      throw new Error("hub full");
    };
    expect(() => publish.media(keyframe(0))).toThrow(SinkError);
    publish.end("disconnected");
    expect(sink.ends).toEqual(["sink_error"]);
  });
});

describe("IngestStatsWindow", () => {
  it("measures bitrate, fps and keyframe interval over media time", () => {
    const stats = new IngestStatsWindow(5_000);
    expect(stats.snapshot()).toEqual({ bitrateBps: 0, fps: 0, keyframeIntervalSeconds: 0 });
    stats.add(AVC_HEADER);
    for (let frame = 0; frame <= 300; frame++) {
      const ts = Math.round((frame * 1000) / 30);
      const data = Buffer.alloc(frame % 60 === 0 ? 20_000 : 2_500, frame % 60 === 0 ? 0x17 : 0x27);
      data[1] = 1;
      stats.add({ type: 9, timestamp: ts, data });
    }
    const snapshot = stats.snapshot();
    expect(snapshot.fps).toBeCloseTo(30, 0);
    expect(snapshot.keyframeIntervalSeconds).toBe(2);
    // 5 s: 150 frames, 3 of them keyframes (20 kB), the rest 2.5 kB -> ~ 696 kbit/s
    expect(snapshot.bitrateBps).toBeGreaterThan(650_000);
    expect(snapshot.bitrateBps).toBeLessThan(750_000);
  });

  it("starts over on a timestamp discontinuity", () => {
    const stats = new IngestStatsWindow(5_000);
    for (let ts = 0; ts <= 60_000; ts += 1000) stats.add(keyframe(ts));
    stats.add(keyframe(0));
    stats.add(keyframe(1000));
    expect(stats.snapshot().keyframeIntervalSeconds).toBe(1);
    expect(stats.snapshot().fps).toBe(2);
  });
});

describe("sessionStateMachine", () => {
  it("allows the publish path and refuses illegal moves", () => {
    const fsm = sessionStateMachine();
    for (const next of [
      "connecting",
      "connected",
      "authorizing",
      "publishing",
      "connected",
      "closed",
    ] as const) {
      fsm.move(next);
    }
    expect(fsm.entered.connected).toBe(2);
    expect(() => fsm.move("publishing")).toThrow(IllegalTransitionError);
    expect(() => sessionStateMachine().move("publishing")).toThrow(IllegalTransitionError);
  });
});
