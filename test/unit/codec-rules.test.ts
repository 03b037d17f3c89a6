// Which destination kind carries which codecs, and the message a blocked restream shows: it names
// the channel's codecs and what would carry them. Also the chain link container that follows.
import { describe, expect, it } from "vitest";
import type { ChannelCodecs } from "../../node/defs/codecs.js";
import { codecProblem } from "../../node/restreams/codec-rules.js";
import { chainContainer } from "../../node/scheduler/chain-container.js";
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

describe("chainContainer", () => {
  it("carries H.264 + AAC as FLV, anything else as MPEG-TS", () => {
    expect(chainContainer(H264_AAC_720P)).toBe("flv");
    expect(chainContainer(withCodecs("h264", "mp3"))).toBe("mpegts");
    expect(chainContainer(withCodecs("hevc", "aac"))).toBe("mpegts");
  });
});
