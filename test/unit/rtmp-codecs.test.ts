// The ingest's codec parser on sequence headers cut from this machine's ffmpeg output, checked
// against what ffprobe reported for the same files (test/fixtures/rtmp/ffprobe.json).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAudioSpecificConfig } from "../../node/ingest/rtmp/aac-config.js";
import { unescapeRbsp } from "../../node/ingest/rtmp/bit-reader.js";
import { channelCodecs, inspectAudio, inspectVideo } from "../../node/ingest/rtmp/codecs.js";
import { CodecConfigError } from "../../node/ingest/rtmp/errors.js";
import { H264_AAC_720P } from "../support/codecs.js";

const FIXTURES = new URL("../fixtures/rtmp/", import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const probed = JSON.parse(fixture("ffprobe.json").toString("utf8")).streams as Record<
  string,
  {
    profile: string;
    level?: number;
    width?: number;
    height?: number;
    sample_rate?: number;
    channels?: number;
  }
>;

const levelText = (level: number): string => `${Math.floor(level / 10)}.${level % 10}`;

describe("AVC sequence headers from ffmpeg", () => {
  const names = Object.keys(probed).filter((name) => name.startsWith("avc-"));

  it("has the fixtures", () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  it.each(names)("%s reports what ffprobe reports", (name) => {
    const expected = probed[name]!;
    const result = inspectVideo(fixture(name));
    expect(result).toEqual({
      kind: "config",
      info: {
        width: expected.width,
        height: expected.height,
        profile: expected.profile,
        level: levelText(expected.level!),
      },
    });
  });

  it("1280x720 High 3.1 (spelled out)", () => {
    const result = inspectVideo(fixture("avc-high-1280x720.bin"));
    expect(result).toEqual({
      kind: "config",
      info: { width: 1280, height: 720, profile: "High", level: "3.1" },
    });
  });

  it("1920x1080 is cropped from 1088 coded lines", () => {
    const result = inspectVideo(fixture("avc-main-1920x1080.bin"));
    expect(result.kind === "config" && result.info.height).toBe(1080);
  });

  it("classifies coded frames and command frames", () => {
    expect(inspectVideo(Buffer.from([0x17, 0x01, 0, 0, 0, 0, 0, 0, 1]))).toEqual({ kind: "frame" });
    expect(inspectVideo(Buffer.from([0x27, 0x01, 0, 0, 0]))).toEqual({ kind: "frame" });
    expect(inspectVideo(Buffer.from([0x57, 0x00]))).toEqual({ kind: "command" });
    expect(inspectVideo(Buffer.from([0x17, 0, 0, 0, 0]))).toEqual({ kind: "command" }); // empty sequence header
  });

  it("throws CodecConfigError on a truncated or damaged record", () => {
    const good = fixture("avc-high-1280x720.bin");
    expect(() => inspectVideo(good.subarray(0, 14))).toThrow(CodecConfigError);
    const noSps = Buffer.from(good);
    noSps[10] = 0xe0; // numOfSequenceParameterSets = 0
    expect(() => inspectVideo(noSps)).toThrow(CodecConfigError);
    const zeros = Buffer.concat([good.subarray(0, 13), Buffer.from([0x67, 0x64, 0, 0x1f, 0, 0, 0, 0])]);
    zeros.writeUInt16BE(8, 11);
    expect(() => inspectVideo(zeros)).toThrow(CodecConfigError);
  });

  it("removes emulation prevention bytes", () => {
    expect(unescapeRbsp(Buffer.from([0, 0, 3, 1, 0, 0, 3, 0, 0, 3]))).toEqual(
      Buffer.from([0, 0, 1, 0, 0, 0, 0]),
    );
  });
});

describe("refused video", () => {
  const exHeader = (fourCc: string): Buffer =>
    Buffer.concat([Buffer.from([0x90]), Buffer.from(fourCc, "latin1"), Buffer.from([1, 2, 3])]);

  it("refuses enhanced-RTMP HEVC and points to SRT", () => {
    const result = inspectVideo(exHeader("hvc1"));
    expect(result.kind).toBe("unsupported");
    expect(result.kind === "unsupported" && result.reason).toMatch(
      /HEVC over RTMP is not supported.*SRT ingest/,
    );
  });

  it.each([
    ["av01", /AV1/],
    ["vp09", /VP9/],
  ])("refuses enhanced-RTMP %s", (fourCc, pattern) => {
    const result = inspectVideo(exHeader(fourCc));
    expect(result.kind === "unsupported" && result.reason).toMatch(pattern);
  });

  it.each([
    [0x22, /Sorenson H.263/],
    [0x14, /VP6/],
    [0x1c, /HEVC over RTMP is not supported/],
  ])("refuses legacy video codec byte 0x%s", (byte, pattern) => {
    const result = inspectVideo(Buffer.from([byte, 0, 0, 0, 0]));
    expect(result.kind === "unsupported" && result.reason).toMatch(pattern);
  });
});

describe("AAC AudioSpecificConfig", () => {
  it.each(Object.keys(probed).filter((name) => name.startsWith("aac-")))(
    "%s reports what ffprobe reports",
    (name) => {
      const expected = probed[name]!;
      const result = inspectAudio(fixture(name));
      expect(result).toEqual({
        kind: "config",
        info: { objectType: 2, sampleRate: expected.sample_rate, channels: expected.channels },
      });
    },
  );

  it("reads an explicit sampling frequency (index 15)", () => {
    // AAC LC (2), index 15, 24-bit frequency 22000, channel configuration 2:
    // 00010 1111 000000000101010111110000 0010 000 -> padded to bytes.
    const bits = `00010${"1111"}${(22000).toString(2).padStart(24, "0")}0010000`;
    const bytes = Buffer.from(
      bits
        .padEnd(Math.ceil(bits.length / 8) * 8, "0")
        .match(/.{8}/g)!
        .map((b) => Number.parseInt(b, 2)),
    );
    expect(parseAudioSpecificConfig(bytes)).toEqual({ objectType: 2, sampleRate: 22000, channels: 2 });
  });

  it("reads HE-AAC (explicit SBR) at the extension rate", () => {
    // object type 5, index 6 (24000), channels 2, extension index 3 (48000), then type 2.
    const bits = "00101" + "0110" + "0010" + "0011" + "00010" + "000";
    const bytes = Buffer.from(bits.match(/.{8}/g)!.map((b) => Number.parseInt(b, 2)));
    expect(parseAudioSpecificConfig(bytes)).toEqual({ objectType: 2, sampleRate: 48000, channels: 2 });
  });

  it("throws on a reserved frequency index or a cut config", () => {
    expect(() => parseAudioSpecificConfig(Buffer.from([0x16, 0x90]))).toThrow(CodecConfigError); // index 13
    expect(() => parseAudioSpecificConfig(Buffer.from([0x17]))).toThrow(CodecConfigError);
  });

  it.each([
    [0x2f, /MP3 audio over RTMP is not supported: publish AAC/],
    [0xbf, /Speex/],
    [0x9f, /enhanced-RTMP audio/],
  ])("refuses audio byte 0x%s", (byte, pattern) => {
    const result = inspectAudio(Buffer.from([byte, 0, 1, 2]));
    expect(result.kind === "unsupported" && result.reason).toMatch(pattern);
  });

  it("classifies raw AAC frames", () => {
    expect(inspectAudio(Buffer.from([0xaf, 0x01, 0x21]))).toEqual({ kind: "frame" });
  });
});

describe("channelCodecs", () => {
  it("combines configs, tracks seen without a header, and absent tracks", () => {
    expect(
      channelCodecs(
        { width: 1280, height: 720, profile: "High", level: "3.1" },
        { objectType: 2, sampleRate: 48000, channels: 2 },
      ),
    ).toEqual(H264_AAC_720P);
    expect(channelCodecs("seen", null)).toEqual({
      video: "h264",
      audio: null,
      width: null,
      height: null,
      profile: null,
      level: null,
      sampleRate: null,
      channels: null,
    });
  });
});
