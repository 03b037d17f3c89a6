// Which destination kind carries which codecs, and the message a blocked restream shows: it names
// the channel's codecs and what would carry them. Also the container a chain link or an encoder's output uses.
import { describe, expect, it } from "vitest";
import type { ChannelCodecs } from "../../node/defs/codecs.js";
import { carrierContainer, codecProblem } from "../../node/restreams/codec-rules.js";
import { H264_AAC_720P } from "../support/codecs.js";

const withCodecs = (video: ChannelCodecs["video"], audio: ChannelCodecs["audio"]): ChannelCodecs => ({
  ...H264_AAC_720P,
  video,
  audio,
});

describe("codecProblem", () => {
  it("lets H.264 + AAC go everywhere", () => {
    for (const kind of ["rtmp", "rtmps", "srt"] as const)
      expect(codecProblem(kind, H264_AAC_720P)).toBeNull();
  });

  it("names MP3 for RTMP, and points at SRT and a profile", () => {
    expect(codecProblem("rtmp", withCodecs("h264", "mp3"))).toBe(
      "RTMP destinations need H.264 + AAC; the channel sends H.264 + MP3: use an SRT destination, or use an output profile (H.264 + AAC)",
    );
    expect(codecProblem("srt", withCodecs("h264", "mp3"))).toBeNull();
  });

  it("names HEVC for RTMPS; SRT carries it", () => {
    expect(codecProblem("rtmps", withCodecs("hevc", "aac"))).toMatch(
      /^RTMPS destinations need H\.264 \+ AAC; the channel sends HEVC \+ AAC: use an SRT destination/,
    );
    expect(codecProblem("srt", withCodecs("hevc", null))).toBeNull();
  });

  it("refuses what MPEG-TS cannot carry to SRT too, pointing at a profile only", () => {
    expect(codecProblem("srt", withCodecs("h264", "speex"))).toBe(
      "SRT destinations (MPEG-TS) need H.264 or HEVC with AAC or MP3; the channel sends H.264 + Speex: use an output profile (H.264 + AAC)",
    );
    expect(codecProblem("rtmp", withCodecs("av1", null))).toBe(
      "RTMP destinations need H.264 + AAC; the channel sends AV1: use an output profile (H.264 + AAC)",
    );
  });
});

describe("codecProblem with an output profile", () => {
  const aac = { codec: "aac", bitrateKbps: 128 } as const;
  const h264 = { codec: "h264", bitrateKbps: 2500 } as const;

  it("refuses RTMP a profile that copies HEVC video or MP3 audio, naming the copied track", () => {
    expect(codecProblem("rtmp", withCodecs("hevc", "aac"), { video: "copy", audio: aac })).toBe(
      "RTMP needs H.264 video: the output profile copies the channel's HEVC; choose an H.264 video encoding, or use an SRT destination",
    );
    expect(codecProblem("rtmps", withCodecs("h264", "mp3"), { video: h264, audio: "copy" })).toMatch(
      /^RTMPS needs AAC audio: the output profile copies the channel's MP3/,
    );
  });

  it("lets RTMP take what the profile encodes, and SRT what it copies", () => {
    expect(codecProblem("rtmp", withCodecs("h264", "aac"), { video: "copy", audio: aac })).toBeNull();
    expect(codecProblem("srt", withCodecs("hevc", "aac"), { video: "copy", audio: aac })).toBeNull();
  });
});

describe("carrierContainer", () => {
  it("carries H.264 + AAC as FLV, anything else as MPEG-TS", () => {
    expect(carrierContainer(H264_AAC_720P)).toBe("flv");
    expect(carrierContainer(withCodecs("h264", "mp3"))).toBe("mpegts");
    expect(carrierContainer(withCodecs("hevc", "aac"))).toBe("mpegts");
  });
});
