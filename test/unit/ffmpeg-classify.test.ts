import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../../node/defs/restream-status.js";
import { classifyRelayExit } from "../../node/ffmpeg/classify.js";
import { captured, CAPTURED_EXITS as EXITS } from "../support/ffmpeg-fixtures.js";

function classifyCase(name: string, stoppedByUs = false) {
  return classifyRelayExit({ ...captured(name), signal: null, stoppedByUs });
}

describe("classifyRelayExit on captured ffmpeg 5.1 failures", () => {
  it.each<[string, ErrorCode, RegExp]>([
    ["rtmp-refused", "destination_unreachable", /refused the connection/],
    ["rtmps-refused", "destination_unreachable", /refused the connection/],
    ["srt-refused", "destination_unreachable", /no listener answered.*passphrase/],
    ["srt-wrong-passphrase", "destination_unreachable", /refused the passphrase/],
    ["rtmp-deny-publish", "destination_rejected", /stream key refused, or publishing not allowed/],
    ["rtmp-on-publish-403", "destination_rejected", /wrong stream key or application/],
    ["rtmp-unknown-app", "destination_rejected", /wrong stream key or application/],
    ["rtmp-already-publishing", "destination_rejected", /already being published/],
    ["rtmp-hevc", "unsupported_codec", /hevc cannot be sent over RTMP.*SRT/],
    ["rtmp-destination-killed", "destination_unreachable", /lost mid-stream/],
    ["srt-receiver-killed", "destination_unreachable", /SRT connection to the destination was lost/],
    ["rtmps-to-plain-port", "destination_timeout", /TLS handshake in time.*plain RTMP/],
    ["rtmps-self-signed", "destination_unreachable", /TLS certificate did not verify/],
    ["rtmp-dns-failure", "destination_unreachable", /host name could not be resolved/],
  ])("%s -> %s", (name, code, message) => {
    const result = classifyCase(name);
    expect(result?.code).toBe(code);
    expect(result?.message).toMatch(message);
  });

  it("a wrong SRT passphrase without libsrt's own line names both causes", () => {
    const { exitCode, stderrLines } = captured("srt-wrong-passphrase");
    const ffmpegOnly = stderrLines.filter((line) => !line.includes("Incorrect passphrase"));
    expect(
      classifyRelayExit({ exitCode, stderrLines: ffmpegOnly, signal: null, stoppedByUs: false }),
    ).toEqual({
      code: "destination_unreachable",
      message: expect.stringMatching(/no listener answered at that address, or it refused the passphrase/),
    });
  });

  it("a finished input (exit 0, no error) is a clean end", () => {
    expect(classifyCase("rtmp-ok")).toBeNull();
  });

  it("our SIGINT is a clean stop, while streaming (exit 255) and while connecting (exit 1)", () => {
    expect(captured("rtmp-sigint").exitCode).toBe(255);
    expect(classifyCase("rtmp-sigint", true)).toBeNull();
    expect(captured("srt-sigint-connecting").exitCode).toBe(1);
    expect(classifyCase("srt-sigint-connecting", true)).toBeNull();
  });

  it("a stop we asked for stays clean even when it ended in SIGKILL", () => {
    const { stderrLines } = captured("rtmp-sigint");
    expect(
      classifyRelayExit({ exitCode: null, signal: "SIGKILL", stderrLines, stoppedByUs: true }),
    ).toBeNull();
  });

  it("a signal we did not send is internal", () => {
    expect(classifyCase("rtmp-sigint")).toEqual({
      code: "internal",
      message: expect.stringMatching(/signal/),
    });
    const { stderrLines } = captured("rtmp-sigint");
    expect(classifyRelayExit({ exitCode: null, signal: "SIGKILL", stderrLines, stoppedByUs: false })).toEqual(
      {
        code: "internal",
        message: "ffmpeg was killed by SIGKILL",
      },
    );
  });

  it("anything else is internal, and the message never quotes stderr", () => {
    const stderrLines = ["[error] pipe:0: Invalid data found when processing input secret-abc"];
    const result = classifyRelayExit({ exitCode: 1, signal: null, stderrLines, stoppedByUs: false });
    expect(result?.code).toBe("internal");
    expect(result?.message).toMatch(/exit code 1/);
    expect(result?.message).not.toContain("secret");
  });

  it("no message of any rule carries text from stderr beyond a codec name", () => {
    for (const name of EXITS.keys()) {
      const result = classifyCase(name);
      expect(result?.message ?? "").not.toMatch(/127\.0\.0\.1|rtmp:\/\/|srt:\/\/|0x[0-9a-f]{6}/);
    }
  });

  it("a dropped RTMP connection after media flowed is not a refused publish", () => {
    const { stderrLines } = captured("rtmp-deny-publish");
    const later = stderrLines.map((line) => line.replace("time=-00:00:00.02", "time=00:01:00.00"));
    expect(
      classifyRelayExit({ exitCode: 1, signal: null, stderrLines: later, stoppedByUs: false })?.code,
    ).toBe("destination_unreachable");
  });
});
