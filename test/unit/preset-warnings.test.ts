// A restream's warnings from its destination's preset and the channel's stream (pure).
import { describe, expect, it } from "vitest";
import { presetById } from "../../node/restreams/presets.js";
import { restreamWarnings } from "../../node/restreams/warnings.js";
import { H264_AAC_720P } from "../support/codecs.js";

const stats = { bitrateBps: 3_128_000, audioBitrateBps: 128_000, fps: 30, keyframeIntervalSeconds: 2 };
const youtube = { preset: "youtube" };
const codes = (
  destination: { preset: string | null } | undefined,
  live: Parameters<typeof restreamWarnings>[1],
) => restreamWarnings(destination, live).map((warning) => warning.code);

describe("restream warnings", () => {
  it("has none for a stream within the preset, without a preset, or offline", () => {
    expect(codes(youtube, { codecs: H264_AAC_720P, stats })).toEqual([]);
    expect(
      codes({ preset: null }, { codecs: H264_AAC_720P, stats: { ...stats, keyframeIntervalSeconds: 10 } }),
    ).toEqual([]);
    expect(codes(youtube, undefined)).toEqual([]);
  });

  it("warns on each rule the stream breaks", () => {
    expect(
      codes(youtube, { codecs: H264_AAC_720P, stats: { ...stats, keyframeIntervalSeconds: 10 } }),
    ).toEqual(["keyframe_interval"]);
    expect(
      codes({ preset: "twitch" }, { codecs: H264_AAC_720P, stats: { ...stats, bitrateBps: 8_128_000 } }),
    ).toEqual(["bitrate"]);
    expect(codes(youtube, { codecs: { ...H264_AAC_720P, video: "hevc" }, stats })).toEqual(["codec"]);
    expect(codes(youtube, { codecs: H264_AAC_720P, stats: { ...stats, audioBitrateBps: 32_000 } })).toEqual([
      "audio_bitrate",
    ]);
  });

  it("allows measuring noise, and waits for figures to be measured", () => {
    expect(
      codes(youtube, { codecs: H264_AAC_720P, stats: { ...stats, keyframeIntervalSeconds: 2.08 } }),
    ).toEqual([]);
    const unmeasured = { bitrateBps: 0, audioBitrateBps: 0, fps: 0, keyframeIntervalSeconds: 0 };
    expect(codes(youtube, { codecs: H264_AAC_720P, stats: unmeasured })).toEqual([]);
  });

  it("names X's 3 s limit from its preset", () => {
    expect(presetById("x")?.keyframeSeconds).toBe(3);
    expect(
      codes({ preset: "x" }, { codecs: H264_AAC_720P, stats: { ...stats, keyframeIntervalSeconds: 3 } }),
    ).toEqual([]);
  });
});
