// The listeners' own exit classifiers, on stderr captured from this machine's ffmpeg 5.1: a port
// another program holds, and a caller that sent media and left. Neither is a restream's error code.
import { describe, expect, it } from "vitest";
import { classifyRelayExit } from "../../node/ffmpeg/classify.js";
import { classifyFanoutExit } from "../../node/ffmpeg/fanout.js";
import { chainListenerExit, srtIngestExit } from "../../node/ingest/srt/listener-exit.js";
import { captured } from "../support/ffmpeg-fixtures.js";

const exit = (name: string, stoppedByUs = false) => ({ ...captured(name), signal: null, stoppedByUs });

describe("SRT ingest and chain listener exits", () => {
  it("name a port another program holds, each in its own words", () => {
    expect(srtIngestExit(exit("srt-listener-port-in-use"))).toBe(
      "the channel's SRT ingest port is in use by another program",
    );
    expect(chainListenerExit(exit("srt-listener-port-in-use"))).toBe(
      "the chain link's port is in use by another program",
    );
  });

  it("say nothing when the caller sent media and left, or when we stopped the listener", () => {
    expect(srtIngestExit(exit("srt-listener-caller-left"))).toBeNull();
    expect(chainListenerExit(exit("srt-listener-port-in-use", true))).toBeNull();
  });

  it("say how ffmpeg ended when it ended before any caller, without quoting stderr", () => {
    const stderrLines = ["[error] something odd at srt://127.0.0.1:9000"];
    const facts = { exitCode: 1, signal: null, stderrLines, stoppedByUs: false };
    expect(srtIngestExit(facts)).toBe("ffmpeg ended (exit code 1) before an SRT caller connected");
    expect(chainListenerExit({ ...facts, exitCode: null, signal: "SIGKILL" })).toBe(
      "ffmpeg ended (killed by SIGKILL) before the link's source node connected",
    );
  });

  it("a caller that stopped sending is named as such", () => {
    const { stderrLines } = captured("srt-listener-caller-left");
    const lines = [...stderrLines, "[error] srt://127.0.0.1:9000?mode=listener: Connection timed out"];
    expect(srtIngestExit({ exitCode: 1, signal: null, stderrLines: lines, stoppedByUs: false })).toBe(
      "an SRT caller stopped sending (timed out)",
    );
  });
});

describe("classifyFanoutExit (the Remote Playback listener, node/ffmpeg/srt-fanout.c)", () => {
  const fanout = (line: string, stoppedByUs = false) => ({
    exitCode: 1,
    signal: null,
    stderrLines: [line],
    stoppedByUs,
  });

  it("a taken port is the listener's own failure, not a destination's", () => {
    const taken = fanout(
      "srt-fanout: bind failed: Connection setup failure: unable to create/configure SRT socket",
    );
    expect(classifyFanoutExit(taken)).toEqual({
      code: "internal",
      message: "the Remote Playback port is in use by another program",
    });
    // What the restream classifier makes of a listener's exit: not a failure of its own kind.
    expect(classifyRelayExit(exit("srt-listener-port-in-use"))?.message).toMatch(/unexpectedly/);
  });

  it("a stop of ours is no failure; any other end is one the actor retries, with the helper's words", () => {
    expect(classifyFanoutExit(fanout("srt-fanout: bind failed: x", true))).toBeNull();
    expect(classifyFanoutExit(fanout("srt-fanout: accept failed: y"))).toEqual({
      code: "internal",
      message: "the Remote Playback listener ended: srt-fanout: accept failed: y",
    });
  });
});
