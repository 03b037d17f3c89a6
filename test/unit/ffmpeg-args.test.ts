import { describe, expect, it } from "vitest";
import { PROGRESS_FD, relayArgs, SYSTEM_CA_FILE, srtIngestCommand } from "../../node/ffmpeg/args.js";
import { RelayArgsError } from "../../node/ffmpeg/errors.js";
import { InvalidUrlError, parseDestinationUrl } from "../../node/urls/destination-url.js";

const RTMP = { kind: "rtmp", host: "live.example.com", port: 1935, app: "live" } as const;

/** The value that follows an option name. */
function optionValue(args: string[], option: string): string | undefined {
  const i = args.indexOf(option);
  return i < 0 ? undefined : args[i + 1];
}

describe("relayArgs", () => {
  it("builds an RTMP relay: FLV from stdin, copied, key in its own argument", () => {
    expect(relayArgs({ target: RTMP, streamKey: "abc-123", progressFd: PROGRESS_FD })).toEqual([
      ...["-hide_banner", "-loglevel", "level+info", "-nostats", "-progress", "pipe:3"],
      ...["-probesize", "32", "-analyzeduration", "0", "-f", "flv", "-i", "pipe:0"],
      ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy"],
      ...["-f", "flv", "-flvflags", "no_duration_filesize", "-rw_timeout", "5000000"],
      ...["-rtmp_app", "live", "-rtmp_playpath", "abc-123"],
      "rtmp://live.example.com:1935/live",
    ]);
  });

  it("passes a stream key verbatim, never in the URL (ffmpeg would strip .flv and not decode %XX)", () => {
    const key = "k%41y?s_bl=1&a=b:c/d.flv";
    const args = relayArgs({ target: RTMP, streamKey: key, progressFd: 3 });
    expect(optionValue(args, "-rtmp_playpath")).toBe(key);
    expect(args.filter((arg) => arg.includes("k%41y"))).toEqual([key]);
    expect(args.at(-1)).toBe("rtmp://live.example.com:1935/live");
  });

  it("keeps a nested application path whole", () => {
    const args = relayArgs({ target: { ...RTMP, app: "app/instance" }, streamKey: "k", progressFd: 3 });
    expect(optionValue(args, "-rtmp_app")).toBe("app/instance");
    expect(args.at(-1)).toBe("rtmp://live.example.com:1935/app/instance");
  });

  it("verifies RTMPS certificates against the system CAs unless told not to", () => {
    const target = { ...RTMP, kind: "rtmps", port: 443 } as const;
    const verified = relayArgs({ target, streamKey: "k", progressFd: 3 });
    expect(optionValue(verified, "-tls_verify")).toBe("1");
    expect(optionValue(verified, "-ca_file")).toBe(SYSTEM_CA_FILE);
    expect(verified.at(-1)).toBe("rtmps://live.example.com:443/live");
    const skipped = relayArgs({ target, streamKey: "k", progressFd: 3, insecureSkipVerify: true });
    expect(skipped).not.toContain("-tls_verify");
    expect(skipped).not.toContain("-ca_file");
  });

  it("does not add TLS options to plain RTMP", () => {
    expect(relayArgs({ target: RTMP, streamKey: "k", progressFd: 3 })).not.toContain("-tls_verify");
  });

  it("builds an SRT caller: MPEG-TS, latency in microseconds, secrets as separate arguments", () => {
    const passphrase = "p&ss%20word+=;x'y";
    const target = parseDestinationUrl(
      `srt://srt.example.com:9000?latency=200&passphrase=${encodeURIComponent(passphrase)}&pbkeylen=32&streamid=${encodeURIComponent("#!::r=live/feed,m=publish")}`,
    );
    const args = relayArgs({ target, streamKey: "ignored", progressFd: 3 });
    expect(args.slice(args.indexOf("-c") + 2)).toEqual([
      ...["-f", "mpegts", "-rw_timeout", "5000000"],
      ...["-passphrase", passphrase, "-srt_streamid", "#!::r=live/feed,m=publish"],
      "srt://srt.example.com:9000?mode=caller&pkt_size=1316&connect_timeout=3000&latency=200000&pbkeylen=32",
    ]);
    expect(args).not.toContain("-rtmp_playpath");
    expect(args.some((arg) => arg.includes("ignored"))).toBe(false);
  });

  it("leaves SRT options ffmpeg should default out of the URL", () => {
    const args = relayArgs({ target: { kind: "srt", host: "10.0.0.5", port: 9000 }, progressFd: 3 });
    expect(args.at(-1)).toBe("srt://10.0.0.5:9000?mode=caller&pkt_size=1316&connect_timeout=3000");
    expect(args).not.toContain("-passphrase");
  });

  it("muxes FLV into an SRT target when told to (a chain link of H.264 + AAC)", () => {
    const target = { kind: "srt", host: "10.0.0.5", port: 9000 } as const;
    const args = relayArgs({ target, progressFd: 3, srtContainer: "flv" });
    expect(args.join(" ")).toContain("-f flv -flvflags no_duration_filesize -rw_timeout 5000000 srt://");
    expect(args).not.toContain("mpegts");
  });

  it("brackets IPv6 hosts", () => {
    const srt = relayArgs({ target: { kind: "srt", host: "2001:db8::1", port: 9000 }, progressFd: 3 });
    expect(srt.at(-1)).toMatch(/^srt:\/\/\[2001:db8::1\]:9000\?/);
    const rtmp = relayArgs({ target: { ...RTMP, host: "::1" }, streamKey: "k", progressFd: 3 });
    expect(rtmp.at(-1)).toBe("rtmp://[::1]:1935/live");
  });

  it("probes MPEG-TS input for real (a 32-byte probe fails on it) and honours the timeouts given", () => {
    const args = relayArgs({
      target: { kind: "srt", host: "h.example", port: 9000 },
      progressFd: 5,
      inputFormat: "mpegts",
      rwTimeoutUs: 2_000_000,
      srtConnectTimeoutMs: 1500,
    });
    expect(optionValue(args, "-progress")).toBe("pipe:5");
    expect(optionValue(args, "-probesize")).toBe("1000000");
    expect(optionValue(args, "-f")).toBe("mpegts");
    expect(optionValue(args, "-rw_timeout")).toBe("2000000");
    expect(args.at(-1)).toContain("connect_timeout=1500");
  });

  it("refuses what it cannot pass on safely", () => {
    expect(() => relayArgs({ target: RTMP, progressFd: 3 })).toThrow(RelayArgsError);
    expect(() => relayArgs({ target: RTMP, streamKey: "", progressFd: 3 })).toThrow(RelayArgsError);
    expect(() => relayArgs({ target: RTMP, streamKey: "a\nb", progressFd: 3 })).toThrow(RelayArgsError);
    expect(() => relayArgs({ target: RTMP, streamKey: "x".repeat(1025), progressFd: 3 })).toThrow(/longer/);
    expect(() => relayArgs({ target: RTMP, streamKey: "k", progressFd: 2 })).toThrow(RelayArgsError);
    expect(() => relayArgs({ target: RTMP, streamKey: "k", progressFd: 3, rwTimeoutUs: 0 })).toThrow(
      RelayArgsError,
    );
  });

  it("refuses a hand-built target that is not a valid destination", () => {
    expect(() => relayArgs({ target: { ...RTMP, app: "../etc" }, streamKey: "k", progressFd: 3 })).toThrow(
      InvalidUrlError,
    );
    expect(() => relayArgs({ target: { ...RTMP, host: "a b" }, streamKey: "k", progressFd: 3 })).toThrow(
      InvalidUrlError,
    );
    expect(() =>
      relayArgs({
        target: { kind: "srt", host: "h.example", port: 9000, passphrase: "short" },
        progressFd: 3,
      }),
    ).toThrow(InvalidUrlError);
  });

  it("error messages never quote the stream key", () => {
    const key = `secret-${"\u0007"}key`;
    expect(() => relayArgs({ target: RTMP, streamKey: key, progressFd: 3 })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("secret") }),
    );
  });
});

describe("srtIngestCommand", () => {
  it("listens for one caller, passphrase in the input script, never in argv; MPEG-TS copied to stdout", () => {
    const passphrase = "p&ss?phrase='with%25odd";
    const { args, script } = srtIngestCommand({
      bindHost: "::",
      port: 9001,
      passphrase,
      container: "mpegts",
    });
    expect(args).toEqual([
      ...["-hide_banner", "-loglevel", "level+info", "-nostats", "-nostdin"],
      ...["-probesize", "1000000", "-analyzeduration", "1000000"],
      ...[
        "-f",
        "concat",
        "-safe",
        "0",
        "-auto_convert",
        "0",
        "-protocol_whitelist",
        "pipe,srt",
        "-i",
        "pipe:4",
      ],
      ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-f", "mpegts", "pipe:1"],
    ]);
    expect(args.join(" ")).not.toContain("phrase");
    expect(script).toBe(
      [
        "ffconcat version 1.0",
        "file 'srt://[::]:9001?mode=listener'",
        "option passphrase 'p&ss?phrase='\\''with%25odd'",
        "option rw_timeout '5000000'",
        "option probesize '1000000'",
        "option analyzeduration '1000000'",
        "",
      ].join("\n"),
    );
  });

  it("reads and writes FLV for a chain link that carries it, with the short FLV probe", () => {
    const { args, script } = srtIngestCommand({
      bindHost: "::",
      port: 9001,
      passphrase: "long-enough-secret",
      container: "flv",
    });
    expect(args.join(" ")).toContain(
      "-probesize 32 -analyzeduration 0 -f concat -safe 0 -auto_convert 0 -protocol_whitelist pipe,srt -i pipe:4 -map 0:v:0? -map 0:a:0? -c copy -f flv -flvflags no_duration_filesize pipe:1",
    );
    expect(script).toContain("option probesize '32'\noption analyzeduration '0'\n");
  });

  it("remuxes an SRT caller's MPEG-TS to FLV for a channel with a backup, with the MPEG-TS probe", () => {
    const { args } = srtIngestCommand({
      bindHost: "::",
      port: 9001,
      passphrase: "long-enough-secret",
      container: "mpegts",
      output: "flv",
    });
    expect(args.join(" ")).toContain(
      "-probesize 1000000 -analyzeduration 1000000 -f concat -safe 0 -auto_convert 0 -protocol_whitelist pipe,srt -i pipe:4 -map 0:v:0? -map 0:a:0? -c copy -f flv -flvflags no_duration_filesize pipe:1",
    );
  });

  it("refuses a passphrase libsrt would not take, or a bad port, without quoting it", () => {
    const ok = {
      bindHost: "0.0.0.0",
      port: 9000,
      passphrase: "long-enough-secret",
      container: "mpegts",
    } as const;
    expect(() => srtIngestCommand({ ...ok, passphrase: "short" })).toThrow(RelayArgsError);
    expect(() => srtIngestCommand({ ...ok, passphrase: `secret-\n${"x".repeat(10)}` })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("secret") }),
    );
    expect(() => srtIngestCommand({ ...ok, port: 70000 })).toThrow(RelayArgsError);
  });
});
