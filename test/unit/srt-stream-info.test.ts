// The SRT ingest's codec details, from stream lines this machine's ffmpeg 5.1 printed as an SRT
// listener (level+info) and the PMT stream types.
import { describe, expect, it } from "vitest";
import { srtCodecs } from "../../node/ingest/srt/codecs.js";
import { StreamInfo } from "../../node/ingest/srt/stream-info.js";

const H264_INPUT = [
  "[info] Input #0, mpegts, from 'srt://127.0.0.1:22594?mode=listener':",
  "[info]   Duration: N/A, start: 1.445333, bitrate: N/A",
  "[info]   Program 1 ",
  "[info]   Stream #0:0[0x100]: Video: h264 (High) ([27][0][0][0] / 0x001B), yuv420p(progressive), 320x180 [SAR 1:1 DAR 16:9], 30 fps, 30 tbr, 90k tbn",
  "[info]   Stream #0:1[0x101]: Audio: aac (LC) ([15][0][0][0] / 0x000F), 48000 Hz, stereo, fltp, 130 kb/s",
  "[info] Output #0, mpegts, to 'pipe:1':",
  "[info]   Stream #0:0: Video: h264 (High) ([27][0][0][0] / 0x001B), yuv420p(progressive), 1280x720, q=2-31",
];
const HEVC_MONO = [
  "[info] Input #0, mpegts, from 'srt://0.0.0.0:9000?mode=listener':",
  "[info]   Stream #0:0[0x100]: Video: hevc (Main) (HEVC / 0x43564548), yuv420p(tv), 640x360 [SAR 1:1 DAR 16:9], 30 fps, 30 tbr, 90k tbn",
  "[info]   Stream #0:1[0x101]: Audio: aac (LC) ([15][0][0][0] / 0x000F), 44100 Hz, mono, fltp, 71 kb/s",
];

function read(lines: string[]): StreamInfo {
  const info = new StreamInfo();
  for (const line of lines) info.line(line);
  return info;
}

describe("StreamInfo", () => {
  it("reads size, profile, rate and channels of the input's first video and audio, not the output's", () => {
    const info = read(H264_INPUT);
    expect(info.video).toEqual({ codec: "h264", profile: "High", width: 320, height: 180 });
    expect(info.audio).toEqual({ codec: "aac", sampleRate: 48000, channels: 2 });
  });

  it("reads HEVC and mono", () => {
    const info = read(HEVC_MONO);
    expect(info.video).toEqual({ codec: "hevc", profile: "Main", width: 640, height: 360 });
    expect(info.audio).toEqual({ codec: "aac", sampleRate: 44100, channels: 1 });
  });
});

describe("srtCodecs", () => {
  const HEVC_AAC = [
    { pid: 0x100, streamType: 0x24 },
    { pid: 0x101, streamType: 0x0f },
  ];

  it("names the codecs from the PMT and the details from ffmpeg's lines", () => {
    expect(srtCodecs(HEVC_AAC, read(HEVC_MONO))).toEqual({
      video: "hevc",
      audio: "aac",
      width: 640,
      height: 360,
      profile: "Main",
      level: null,
      sampleRate: 44100,
      channels: 1,
    });
  });

  it("carries video without audio, and refuses codecs a channel cannot carry", () => {
    expect(srtCodecs([{ pid: 0x100, streamType: 0x1b }], read(H264_INPUT))).toMatchObject({
      video: "h264",
      audio: null,
    });
    expect(srtCodecs([{ pid: 0x100, streamType: 0x02 }], read([]))).toMatch(
      /video stream type 0x2 is not supported/,
    );
    expect(srtCodecs([{ pid: 0x101, streamType: 0x81 }], read([]))).toMatch(
      /audio stream type 0x81 is not supported/,
    );
    expect(srtCodecs([{ pid: 0x102, streamType: 0x86 }], read([]))).toMatch(/not supported/);
    expect(srtCodecs([{ pid: 0x102, streamType: 0x06 }], read([]))).toBe(
      "the stream has neither video nor audio",
    );
  });
});
