// Child processes for the RTMP ingest tests (ffmpeg, GStreamer, openssl): started with their
// stderr kept, each remembered by PID and killed by PID in afterEach/afterAll.
import { type ChildProcess, spawn } from "node:child_process";

export interface Tracked {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly output: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: () => boolean;
}

const started = new Set<Tracked>();

export function run(command: string, args: readonly string[]): Tracked {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    if (output.length < 2_000) output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.once("error", () => {
      done = true;
      resolve({ code: -1, signal: null });
    });
  });
  const tracked: Tracked = { child, pid: child.pid, output, exited, running: () => !done };
  started.add(tracked);
  void exited.then(() => started.delete(tracked));
  return tracked;
}

/** Kills every process this module started that is still running, by PID, and waits for each. */
export async function killAll(): Promise<void> {
  const alive = [...started];
  for (const p of alive) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await Promise.all(alive.map((p) => p.exited));
}

/** Polls until `check` is true; throws with `what` after the deadline. No fixed sleeps. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The arguments of an ffmpeg test publisher: testsrc2 + sine, H.264 + AAC, to `url`. */
export function ffmpegPublishArgs(
  url: string,
  options: { seconds?: number; size?: string; rate?: number; sampleRate?: number; channels?: number } = {},
): string[] {
  const { seconds, size = "1280x720", rate = 30, sampleRate = 48_000, channels = 2 } = options;
  return [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "warning",
    "-re",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${size}:rate=${rate}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:sample_rate=${sampleRate}`,
    ...(seconds === undefined ? [] : ["-t", String(seconds)]),
    "-c:v",
    "libx264",
    "-preset",
    "superfast",
    "-profile:v",
    "high",
    "-g",
    String(rate),
    "-c:a",
    "aac",
    "-ac",
    String(channels),
    "-rw_timeout",
    "10000000",
    "-f",
    "flv",
    url,
  ];
}
