// The media of the benchmarks, all with this machine's ffmpeg: a 3 Mbit/s 720p30 H.264/AAC FLV clip
// and a tiny one (each made once, cached in the temp dir under a hash of its command), a real-time looping
// publisher, bare `-c copy` pull relays (the baseline), and a player that reports its first frame.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Proc, startProcess } from "./processes.js";

const CLIP_ARGS = [
  ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30"],
  ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
  ...["-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p"],
  ...["-b:v", "3M", "-maxrate", "3M", "-bufsize", "6M"],
  ...["-c:a", "aac", "-ar", "48000", "-ac", "2", "-b:a", "128k", "-f", "flv"],
];
const TINY_CLIP_ARGS = [
  ...["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10"],
  ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
  ...["-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-g", "20", "-pix_fmt", "yuv420p"],
  ...["-b:v", "100k", "-maxrate", "100k", "-bufsize", "200k"],
  ...["-c:a", "aac", "-ar", "48000", "-ac", "1", "-b:a", "32k", "-f", "flv"],
];
const QUIET = ["-hide_banner", "-loglevel", "error", "-nostdin"];
/** Every network read/write of our own ffmpegs gives up after 10 s (FFMPEG-NOTES: "always set it"). */
const RW_TIMEOUT = ["-rw_timeout", "10000000"];

/** 20 s of 1280x720 30 fps H.264 (3 Mbit/s, a keyframe every 2 s) + AAC 128k, in FLV. */
export function benchClip(): string {
  return cachedClip(CLIP_ARGS);
}

/** 20 s of 320x180 10 fps H.264 (100 kbit/s, a keyframe every 2 s) + mono AAC 32k: a cheap live channel. */
export function tinyClip(): string {
  return cachedClip(TINY_CLIP_ARGS);
}

/** Made once with this machine's ffmpeg, then found in the temp dir under a hash of its command. */
function cachedClip(args: readonly string[]): string {
  const hash = createHash("sha256").update(JSON.stringify(args)).digest("hex").slice(0, 16);
  const path = join(tmpdir(), `streamwell-bench-${hash}.flv`);
  if (existsSync(path)) return path;
  const temp = `${path}.${process.pid}.tmp`;
  try {
    execFileSync("ffmpeg", [...QUIET, "-y", ...args, temp], { timeout: 300_000, stdio: "ignore" });
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
  return path;
}

/** Publishes the clip in a loop, in real time. */
export function publish(clip: string, url: string): Proc {
  return startProcess("publisher", "ffmpeg", [
    ...QUIET,
    "-re",
    "-stream_loop",
    "-1",
    "-i",
    clip,
    "-c",
    "copy",
    ...RW_TIMEOUT,
    "-f",
    "flv",
    url,
  ]);
}

/** The baseline: a bare pull relay, default probing. onProgress gets its -progress lines if given. */
export function pullRelay(from: string, to: string, onProgress?: (line: string) => void): Proc {
  const progress = onProgress ? ["-nostats", "-progress", "pipe:1", "-stats_period", "0.05"] : [];
  return startProcess(
    "relay",
    "ffmpeg",
    [...QUIET, ...progress, ...RW_TIMEOUT, "-i", from, "-c", "copy", ...RW_TIMEOUT, "-f", "flv", to],
    onProgress ? { onStdoutLine: onProgress } : {},
  );
}

/**
 * Plays a live RTMP URL into the null muxer and calls firstFrame (with performance.now()) at the
 * first progress block with frame > 0. Progress every 50 ms, so that is the resolution.
 */
export function player(url: string, firstFrame: (at: number) => void): Proc {
  let seen = false;
  return startProcess(
    "player",
    "ffmpeg",
    [
      ...QUIET,
      ...["-nostats", "-progress", "pipe:1", "-stats_period", "0.05"],
      ...["-rw_timeout", "30000000", "-rtmp_live", "live", "-i", url],
      ...["-c", "copy", "-f", "null", "-"],
    ],
    {
      onStdoutLine: (line) => {
        if (seen || !line.startsWith("frame=") || Number(line.slice(6)) <= 0) return;
        seen = true;
        firstFrame(performance.now());
      },
    },
  );
}

/** First lines of `ffmpeg -version` and `nginx -v` (which prints to stderr), for the record. */
export function toolVersions(): { ffmpeg: string; nginx: string } {
  const first = (command: string, args: string[]): string => {
    const result = spawnSync(command, args, { encoding: "utf8", timeout: 10_000 });
    return `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n")[0] ?? "unknown";
  };
  return { ffmpeg: first("ffmpeg", ["-version"]), nginx: first("nginx", ["-v"]) };
}
