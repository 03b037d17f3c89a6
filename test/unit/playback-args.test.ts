import { describe, expect, it } from "vitest";
import { frame, LineSplitter, parseEvent, passphraseFrame } from "../../node/ffmpeg/fanout-protocol.js";
import { remuxArgs } from "../../node/ffmpeg/playback-args.js";
import { H264_AAC_720P } from "../support/codecs.js";

describe("remuxArgs (an RTMP-ingested channel for one Remote Playback caller)", () => {
  it("reads FLV on stdin with a short probe and copies it into MPEG-TS on stdout", () => {
    const args = remuxArgs(3).join(" ");
    expect(args).toContain("-probesize 32 -analyzeduration 0 -f flv -i pipe:0");
    expect(args).toMatch(/-copyts -map 0:v:0\? -map 0:a:0\? -c copy -f mpegts pipe:1$/);
    expect(args).toContain("-progress pipe:3");
    expect(remuxArgs(3, H264_AAC_720P).join(" ")).toContain("-probesize 32 -analyzeduration 0 -f flv");
  });

  it("probes further for MP3, which shows only with its first frame", () => {
    const args = remuxArgs(3, { ...H264_AAC_720P, audio: "mp3" }).join(" ");
    expect(args).toContain("-probesize 1000000 -analyzeduration 1000000 -f flv -i pipe:0");
  });
});

describe("the srt-fanout pipe protocol", () => {
  it("frames bytes for a caller: id and length, big-endian, then the bytes", () => {
    expect(frame(3, Buffer.from("abc"))).toEqual(Buffer.from([0, 0, 0, 3, 0, 0, 0, 3, 97, 98, 99]));
    expect(frame(7, Buffer.alloc(0))).toEqual(Buffer.from([0, 0, 0, 7, 0, 0, 0, 0])); // hang up
    expect(passphraseFrame("secret-pass").subarray(0, 8)).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 11]));
  });

  it("reads the helper's event lines, split anywhere, and nothing else", () => {
    const lines = new LineSplitter();
    expect(lines.push("listening\nconnected 1 127.0.0.1:4")).toEqual(["listening"]);
    expect(lines.push("000\nrefused [::1]:5000\nleft 1 too slow\n").map(parseEvent)).toEqual([
      { type: "connected", caller: 1, address: "127.0.0.1:4000" },
      { type: "refused", address: "[::1]:5000" },
      { type: "left", caller: 1, reason: "too slow" },
    ]);
    for (const line of ["connected x 1.2.3.4:5", "left 0 gone", "hello"]) expect(parseEvent(line)).toBeNull();
  });
});
