import { describe, expect, it } from "vitest";
import { RelayArgsError } from "../../node/ffmpeg/errors.js";
import { playbackArgs } from "../../node/ffmpeg/playback-args.js";

const base = {
  bindHost: "0.0.0.0",
  port: 9000,
  passphrase: "secret-passphrase-1",
  progressFd: 3,
  inputFormat: "flv" as const,
};

describe("playbackArgs", () => {
  it("listens on the port, passphrase in its own argument, dropping the primer with -ss", () => {
    const args = playbackArgs(base);
    expect(args.at(-1)).toBe("srt://0.0.0.0:9000?mode=listener&pkt_size=1316");
    expect(args.at(-1)).not.toContain("secret");
    expect(args[args.indexOf("-passphrase") + 1]).toBe("secret-passphrase-1");
    expect(args.slice(args.indexOf("-ss"), args.indexOf("-ss") + 2)).toEqual(["-ss", "0.5"]);
    expect(args.indexOf("-ss")).toBeGreaterThan(args.indexOf("pipe:0")); // an output option
    expect(args).toContain("-rw_timeout");
    expect(args.join(" ")).toContain("-probesize 32 -analyzeduration 0 -f flv -i pipe:0");
  });

  it("brackets an IPv6 bind address", () => {
    expect(playbackArgs({ ...base, bindHost: "::" }).at(-1)).toMatch(/^srt:\/\/\[::\]:9000\?/);
  });

  it("refuses a passphrase libsrt would not take, and a bad port", () => {
    for (const passphrase of ["short", "x".repeat(65), "has space in it"]) {
      expect(() => playbackArgs({ ...base, passphrase })).toThrow(RelayArgsError);
    }
    expect(() => playbackArgs({ ...base, port: 70_000 })).toThrow(RelayArgsError);
  });
});
