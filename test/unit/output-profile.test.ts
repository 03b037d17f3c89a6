// Output profiles: equal profiles share a key, the codecs an encoder makes, and its ffmpeg arguments.
import { describe, expect, it } from "vitest";
import { encodedCodecs, isCopy, profileKey } from "../../node/defs/output.js";
import { encoderArgs } from "../../node/ffmpeg/encoder-args.js";
import { H264_AAC_720P } from "../support/codecs.js";

const P720 = {
  video: { codec: "h264", bitrateKbps: 2500, maxHeight: 720 },
  audio: { codec: "aac", bitrateKbps: 128 },
} as const;

describe("output profiles", () => {
  it("keys equal profiles alike whatever their field order, and tells copy apart", () => {
    const reordered = {
      audio: { bitrateKbps: 128, codec: "aac" },
      video: { maxHeight: 720, bitrateKbps: 2500, codec: "h264" },
    } as const;
    expect(profileKey(reordered)).toBe(profileKey(P720));
    expect(profileKey({ ...P720, video: { ...P720.video, bitrateKbps: 3000 } })).not.toBe(profileKey(P720));
    expect(isCopy(undefined)).toBe(true);
    expect(isCopy({ video: "copy", audio: "copy" })).toBe(true);
    expect(isCopy(P720)).toBe(false);
  });

  it("makes H.264 of HEVC, scaled down only", () => {
    const hevc1080 = { ...H264_AAC_720P, video: "hevc" as const, width: 1920, height: 1080 };
    expect(encodedCodecs(hevc1080, P720)).toMatchObject({
      video: "h264",
      width: 1280,
      height: 720,
      audio: "aac",
    });
    const small = { ...H264_AAC_720P, width: 640, height: 360 };
    expect(encodedCodecs(small, P720)).toMatchObject({ width: 640, height: 360 });
  });

  it("encodes to the profile with keyframes on the clock, FLV (or MPEG-TS for copied HEVC) on stdout", () => {
    const args = encoderArgs({ inputFormat: "mpegts", output: P720, outputFormat: "flv", progressFd: 3 });
    const valueAfter = (flag: string) => args[args.indexOf(flag) + 1];
    expect(valueAfter("-f")).toBe("mpegts");
    expect(valueAfter("-c:v")).toBe("libx264");
    expect(valueAfter("-b:v")).toBe("2500k");
    expect(valueAfter("-vf")).toBe("scale=-2:'min(720,ih)'");
    expect(valueAfter("-force_key_frames")).toBe("expr:gte(t,n_forced*2)");
    expect(valueAfter("-b:a")).toBe("128k");
    expect(args.slice(-4)).toEqual(["flv", "-flvflags", "no_duration_filesize", "pipe:1"]);
    const copied = encoderArgs({
      inputFormat: "mpegts",
      output: { video: "copy", audio: P720.audio },
      outputFormat: "mpegts",
      progressFd: 3,
    });
    expect(copied).toContain("copy");
    expect(copied.slice(-3)).toEqual(["-f", "mpegts", "pipe:1"]);
  });
});
