// Test media made with this machine's ffmpeg: clips (made once per machine, cached in the temp dir
// under a hash of the command that makes them), real-time publishers, and ffprobe. Every process is
// bounded in time and stopped by PID.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { execa } from "execa";

const MAKE_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 3_000;

const CLIP_ARGS = [
  ...[
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=1280x720:rate=30",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
  ],
  ...["-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p"],
  ...[
    "-b:v",
    "3M",
    "-maxrate",
    "3M",
    "-bufsize",
    "6M",
    "-c:a",
    "aac",
    "-ar",
    "48000",
    "-ac",
    "2",
    "-b:a",
    "128k",
  ],
  ...["-f", "flv"],
];

const HEVC_ARGS = [
  ...[
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=640x360:rate=30",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
  ],
  ...["-t", "3", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-g", "30"],
  ...["-c:a", "aac", "-ar", "48000", "-ac", "2", "-f", "mpegts"],
];

/** HEVC as a raw elementary stream (Annex B): no B-frames, so decoding order is presentation order. */
const RAW_HEVC_ARGS = [
  ...["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-t", "3"],
  ...["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:bframes=0:keyint=30"],
  ...["-f", "hevc"],
];

/** The AAC track to go with it, alone in FLV (its tags are what an RTMP publisher sends). */
const AAC_FLV_ARGS = [
  ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "3"],
  ...["-c:a", "aac", "-ar", "48000", "-ac", "2", "-b:a", "128k", "-f", "flv"],
];

const SMALL_TS_ARGS = [
  ...[
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x180:rate=30",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
  ],
  ...["-t", "3", "-c:v", "libx264", "-preset", "veryfast", "-g", "15", "-pix_fmt", "yuv420p", "-b:v", "500k"],
  ...["-c:a", "aac", "-ar", "48000", "-ac", "2", "-b:a", "64k", "-f", "mpegts"],
];

const FULL_HD_ARGS = [
  ...["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=15"],
  ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
  ...["-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-pix_fmt", "yuv420p", "-b:v", "2M"],
  ...["-c:a", "aac", "-ar", "48000", "-ac", "2", "-b:a", "128k", "-f", "flv"],
];

const made = new Map<string, Promise<string>>();

/** 4 s, 1920x1080 15 fps H.264 (a keyframe a second, ~2 Mbit/s) + AAC 48 kHz stereo, in FLV. */
export function fullHdClip(): Promise<string> {
  return cachedMedia(FULL_HD_ARGS, "flv");
}

/** 10 s, 1280x720 30 fps H.264 (~3 Mbit/s, a keyframe a second) + AAC 48 kHz stereo, in FLV. */
export function testClip(): Promise<string> {
  return cachedMedia(CLIP_ARGS, "flv");
}

/** 3 s, 640x360 HEVC + AAC in MPEG-TS (HEVC cannot go in FLV on ffmpeg 5.1). */
export function hevcClip(): Promise<string> {
  return cachedMedia(HEVC_ARGS, "ts");
}

/**
 * The same in Matroska, for a publisher whose output must decode clean across its loops: ffmpeg
 * 5.1's `-stream_loop` over the MPEG-TS file loses the IDR that starts each loop again, so its own
 * output already has "Could not find ref with POC 0" and "Duplicate POC" at every loop.
 */
export function hevcLoopClip(): Promise<string> {
  return cachedMedia([...HEVC_ARGS.slice(0, -2), "-f", "matroska"], "mkv");
}

/** 3 s, 640x360 30 fps HEVC (a keyframe a second, no B-frames) as raw Annex B. */
export function rawHevcClip(): Promise<string> {
  return cachedMedia(RAW_HEVC_ARGS, "hevc");
}

/** 3 s of AAC 48 kHz stereo, alone in FLV. */
export function aacFlvClip(): Promise<string> {
  return cachedMedia(AAC_FLV_ARGS, "flv");
}

/** 3 s, 320x180 30 fps H.264 (a keyframe every half second) + AAC 48 kHz stereo, in MPEG-TS. */
export function smallTsClip(): Promise<string> {
  return cachedMedia(SMALL_TS_ARGS, "ts");
}

function cachedMedia(args: readonly string[], extension: string): Promise<string> {
  const hash = createHash("sha256").update(JSON.stringify(args)).digest("hex").slice(0, 16);
  const path = join(tmpdir(), `streamwell-media-${hash}.${extension}`);
  let promise = made.get(path);
  if (!promise) {
    promise = makeOnce(args, path);
    made.set(path, promise);
  }
  return promise;
}

async function makeOnce(args: readonly string[], path: string): Promise<string> {
  if (existsSync(path)) return path;
  // Parallel test files may make the same clip: each writes its own temp file, the rename is atomic.
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await execa("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args, temp], {
      timeout: MAKE_TIMEOUT_MS,
    });
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
  return path;
}

export interface MediaProcess {
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, SIGKILL after 3 s; resolves after exit. */
  stop(): Promise<void>;
}

export interface PublishOptions {
  /** Loop the clip (default true). */
  readonly loop?: boolean;
  /** Stop after this many seconds of media. */
  readonly durationS?: number;
}

/** Publishes the test clip in real time to an RTMP URL. */
export async function publish(url: string, options: PublishOptions = {}): Promise<MediaProcess> {
  const child = spawnFfmpeg([...(await sourceArgs(options)), "-f", "flv", url], "ignore");
  return handle(child);
}

/** The test clip as a real-time FLV byte stream (what the hub would feed a relay). */
export async function realtimeFlv(
  options: PublishOptions = {},
): Promise<MediaProcess & { stream: Readable }> {
  const child = spawnFfmpeg([...(await sourceArgs(options)), "-f", "flv", "pipe:1"], "pipe");
  return { ...handle(child), stream: child.stdout as Readable };
}

/** Any ffmpeg command (after its global options), stdout discarded. */
export function ffmpegProcess(args: string[]): MediaProcess {
  return handle(spawnFfmpeg(args, "ignore"));
}

/**
 * A live-encoded RTMP publisher for at most two minutes: small H.264 at `fps` (default 25; 300
 * kbps) with a keyframe every `gopSeconds`, a tone in AAC at `audioKbps` (default 128).
 */
export function publishEncoded(
  url: string,
  options: { gopSeconds: number; audioKbps?: number; fps?: number },
): MediaProcess {
  const fps = options.fps ?? 25;
  const gop = String(options.gopSeconds * fps);
  return ffmpegProcess([
    ...["-re", "-f", "lavfi", "-i", `testsrc2=size=320x180:rate=${fps}`],
    ...["-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-b:v", "300k"],
    ...["-g", gop, "-keyint_min", gop, "-sc_threshold", "0"],
    ...["-c:a", "aac", "-b:a", `${options.audioKbps ?? 128}k`, "-t", "120", "-f", "flv", url],
  ]);
}

/** The test clip's H.264 with its audio as MP3 (libmp3lame 128 kbit/s, 44.1 kHz stereo), published over RTMP in real time, looped. */
export async function publishMp3(url: string): Promise<MediaProcess> {
  const mp3 = ["-c:a", "libmp3lame", "-b:a", "128k", "-ar", "44100", "-ac", "2"];
  return ffmpegProcess([
    "-re",
    "-stream_loop",
    "-1",
    "-i",
    await testClip(),
    "-c:v",
    "copy",
    ...mp3,
    "-f",
    "flv",
    url,
  ]);
}

/** Sends an MPEG-TS clip in real time to an SRT listener, as an SRT caller (a passphrase goes in the URL). */
export function publishSrt(url: string, clip: string, options: PublishOptions = {}): MediaProcess {
  const loop = (options.loop ?? true) ? ["-stream_loop", "-1"] : [];
  const duration = options.durationS === undefined ? [] : ["-t", String(options.durationS)];
  return ffmpegProcess(["-re", ...loop, "-i", clip, "-c", "copy", ...duration, "-f", "mpegts", url]);
}

async function sourceArgs(options: PublishOptions): Promise<string[]> {
  const loop = (options.loop ?? true) ? ["-stream_loop", "-1"] : [];
  const duration = options.durationS === undefined ? [] : ["-t", String(options.durationS)];
  return ["-re", ...loop, "-i", await testClip(), "-c", "copy", ...duration];
}

function spawnFfmpeg(args: string[], stdout: "ignore" | "pipe"): ChildProcess {
  return spawn("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", ...args], {
    stdio: ["ignore", stdout, "ignore"],
  });
}

function handle(child: ChildProcess): MediaProcess {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    pid: child.pid as number,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ProbedStream {
  readonly codec_type: string;
  readonly codec_name: string;
  readonly width?: number;
  readonly height?: number;
  readonly sample_rate?: string;
  readonly channels?: number;
}

/** Reads a live URL's streams. For nginx-rtmp: rtmp://127.0.0.1:port/live/key (played as live). */
export async function ffprobeStreams(url: string, timeoutMs = 10_000): Promise<ProbedStream[]> {
  const live = url.startsWith("rtmp") ? ["-rtmp_live", "live"] : [];
  const { stdout } = await execa(
    "ffprobe",
    ["-v", "error", "-rw_timeout", String(timeoutMs * 1000), ...live, "-show_streams", "-of", "json", url],
    { timeout: timeoutMs + 2_000 },
  );
  const streams = (JSON.parse(stdout) as { streams?: ProbedStream[] }).streams ?? [];
  return streams.map(({ codec_type, codec_name, width, height, sample_rate, channels }) => ({
    codec_type,
    codec_name,
    ...(width === undefined ? {} : { width, height }),
    ...(sample_rate === undefined ? {} : { sample_rate, channels }),
  }));
}
