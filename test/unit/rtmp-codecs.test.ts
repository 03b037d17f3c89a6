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
      track: {
        codec: "h264",
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
      track: { codec: "h264", width: 1280, height: 720, profile: "High", level: "3.1" },
    });
  });

  it("1920x1080 is cropped from 1088 coded lines", () => {
    const result = inspectVideo(fixture("avc-main-1920x1080.bin"));
    expect(result.kind === "config" && result.track.height).toBe(1080);
  });

  it("classifies coded frames and command frames", () => {
    const h264 = {
      kind: "frame",
      track: { codec: "h264", width: null, height: null, profile: null, level: null },
    };
    expect(inspectVideo(Buffer.from([0x17, 0x01, 0, 0, 0, 0, 0, 0, 1]))).toEqual(h264);
    expect(inspectVideo(Buffer.from([0x27, 0x01, 0, 0, 0]))).toEqual(h264);
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

describe("other video codecs", () => {
  const exHeader = (fourCc: string, first = 0x91): Buffer =>
    Buffer.concat([Buffer.from([first]), Buffer.from(fourCc, "latin1"), Buffer.from([1, 2, 3])]);
  const codecOf = (data: Buffer) => {
    const result = inspectVideo(data);
    return result.kind === "frame" || result.kind === "config" ? result.track.codec : result.kind;
  };

  it.each([
    ["hvc1", "hevc"],
    ["av01", "av1"],
    ["vp09", "vp9"],
  ])("names Enhanced RTMP %s coded frames %s", (fourCc, codec) => {
    expect(codecOf(exHeader(fourCc))).toBe(codec);
    expect(codecOf(exHeader(fourCc, 0xa3))).toBe(codec); // inter frame, CodedFramesX
  });

  it("reads a command frame and SequenceEnd as saying nothing", () => {
    expect(codecOf(exHeader("hvc1", 0xd1))).toBe("command"); // frame type 5
    expect(codecOf(exHeader("hvc1", 0x92))).toBe("command"); // SequenceEnd
  });

  it("refuses what it cannot name: an unknown FourCC, multitrack, a header cut short", () => {
    expect(inspectVideo(exHeader("xyzz"))).toMatchObject({ kind: "unsupported", reason: /"xyzz"/ });
    expect(inspectVideo(exHeader("avc1"))).toMatchObject({
      kind: "unsupported",
      reason: /Enhanced RTMP FourCC/,
    });
    expect(inspectVideo(exHeader("hvc1", 0x96))).toMatchObject({ kind: "unsupported", reason: /multitrack/ });
    expect(inspectVideo(Buffer.from([0x91, 0x68]))).toMatchObject({ kind: "unsupported" });
  });

  it("throws CodecConfigError on a malformed HEVC SequenceStart", () => {
    expect(() => inspectVideo(exHeader("hvc1", 0x90))).toThrow(CodecConfigError);
  });

  it.each([
    [0x22, "h263"],
    [0x14, "vp6"],
    [0x13, "screen"],
  ])("names legacy video codec byte 0x%s", (byte, codec) => {
    expect(codecOf(Buffer.from([byte, 0, 0, 0, 0]))).toBe(codec);
  });

  it("refuses a legacy codec id it cannot name", () => {
    expect(inspectVideo(Buffer.from([0x1c, 0, 0, 0, 0]))).toMatchObject({
      kind: "unsupported",
      reason: /codec id 12/,
    });
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
        track: { codec: "aac", sampleRate: expected.sample_rate, channels: expected.channels },
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

  it("classifies raw AAC frames", () => {
    expect(inspectAudio(Buffer.from([0xaf, 0x01, 0x21]))).toEqual({
      kind: "frame",
      track: { codec: "aac", sampleRate: null, channels: null },
    });
  });
});

describe("other audio formats", () => {
  it("reads MP3's rate and channels from its frame header", () => {
    // MPEG-1 layer III 44.1 kHz joint stereo; MPEG-2 layer III 24 kHz mono.
    expect(inspectAudio(Buffer.from([0x2f, 0xff, 0xfb, 0x90, 0x44]))).toEqual({
      kind: "config",
      track: { codec: "mp3", sampleRate: 44100, channels: 2 },
    });
    expect(inspectAudio(Buffer.from([0x2e, 0xff, 0xf3, 0x84, 0xc4]))).toEqual({
      kind: "config",
      track: { codec: "mp3", sampleRate: 24000, channels: 1 },
    });
    expect(inspectAudio(Buffer.from([0x2f, 0x00, 0x00]))).toMatchObject({
      kind: "frame",
      track: { codec: "mp3" },
    });
  });

  it.each([
    [0xb2, "speex", 16000, 1],
    [0x3f, "pcm", 44100, 2],
    [0x72, "g711a", 5512, 1],
    [0x82, "g711u", 5512, 1],
    [0x42, "nellymoser", 16000, 1],
    [0xf2, "other", 5512, 1],
  ])("names sound format byte 0x%s %s", (byte, codec, sampleRate, channels) => {
    expect(inspectAudio(Buffer.from([byte, 1, 2]))).toEqual({
      kind: "config",
      track: { codec, sampleRate, channels },
    });
  });

  it("names Enhanced RTMP audio FourCCs and refuses unknown ones", () => {
    expect(inspectAudio(Buffer.from("914f70757300", "hex"))).toMatchObject({
      kind: "frame",
      track: { codec: "opus" },
    });
    expect(inspectAudio(Buffer.from("907a7a7a7a00", "hex"))).toMatchObject({ kind: "unsupported" });
  });
});

describe("channelCodecs", () => {
  it("combines configs, tracks seen without a header, and absent tracks", () => {
    expect(
      channelCodecs(
        { codec: "h264", width: 1280, height: 720, profile: "High", level: "3.1" },
        { codec: "aac", sampleRate: 48000, channels: 2 },
      ),
    ).toEqual(H264_AAC_720P);
    expect(
      channelCodecs({ codec: "hevc", width: null, height: null, profile: null, level: null }, null),
    ).toEqual({
      video: "hevc",
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
