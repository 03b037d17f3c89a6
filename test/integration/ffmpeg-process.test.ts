// The ffmpeg wrapper against real processes: this machine's ffmpeg, nginx-rtmp as the destination.
import { type ChildProcess, spawn } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROGRESS_FD, relayArgs } from "../../node/ffmpeg/args.js";
import { type Classification, classifyRelayExit } from "../../node/ffmpeg/classify.js";
import { FfmpegSpawnError } from "../../node/ffmpeg/errors.js";
import { PidFile, sweepStalePids } from "../../node/ffmpeg/pidfile.js";
import { isAlive, readCmdline, readProcStat } from "../../node/ffmpeg/proc-facts.js";
import { type FfmpegProcess, startFfmpeg } from "../../node/ffmpeg/process.js";
import type { ProgressStats } from "../../node/ffmpeg/progress.js";
import { ffprobeStreams, hevcClip, realtimeFlv, testClip } from "../support/media.js";
import { freePort, type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";

const KEY = "sw-it-key_42";
const DIST_PROCESS = new URL("../../dist/node/ffmpeg/process.js", import.meta.url).pathname;
// A long-running ffmpeg that needs no input, network or stdin: only a signal ends it.
const IDLE_FFMPEG = [
  "-hide_banner",
  "-nostdin",
  "-loglevel",
  "error",
  "-re",
  "-f",
  "lavfi",
  "-i",
  "anullsrc=r=8000",
];
const IDLE_ARGS = [...IDLE_FFMPEG, "-f", "null", "-"];

let nginx: NginxRtmp;
let dir: string;
/** Processes a test started outside our wrapper, with start times, so cleanup never hits a reused PID. */
const leftovers: { pid: number; startTime: string | undefined }[] = [];

function track(...pids: number[]): void {
  for (const pid of pids) leftovers.push({ pid, startTime: readProcStat(pid)?.startTime });
}

function killLeftovers(): void {
  for (const { pid, startTime } of leftovers.splice(0)) {
    if (startTime !== undefined && readProcStat(pid)?.startTime === startTime && isAlive(pid)) {
      process.kill(pid, "SIGKILL");
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "streamwell-ffmpeg-it-"));
  [nginx] = await Promise.all([
    startNginxRtmp({ applications: [{ name: "live" }, { name: "denied", publish: "deny" }] }),
    testClip(),
  ]);
});

afterAll(async () => {
  killLeftovers();
  await nginx?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until exec has replaced the forked node with the named program. */
async function waitForExec(pid: number, program: string): Promise<void> {
  await waitFor(() => readCmdline(pid)?.[0]?.endsWith(program) === true, 5_000, `${program} to start`);
}

function rtmpRelay(
  port: number,
  app: string,
  input: NodeJS.ReadableStream,
  extra = {},
): FfmpegProcess<Classification> {
  return startFfmpeg({
    classify: classifyRelayExit,
    args: relayArgs({
      target: { kind: "rtmp", host: "127.0.0.1", port, app },
      streamKey: KEY,
      progressFd: PROGRESS_FD,
    }),
    input: input as never,
    secrets: [KEY],
    ...extra,
  });
}

describe("startFfmpeg", () => {
  it("relays a live FLV stream into nginx-rtmp, reports progress, and stops cleanly", async () => {
    const source = await realtimeFlv();
    const pidFile = new PidFile(join(dir, "relay.pids"));
    const progress: ProgressStats[] = [];
    const ffmpeg = rtmpRelay(nginx.port, "live", source.stream, {
      pidRegistry: pidFile,
      onProgress: (stats: ProgressStats) => progress.push(stats),
    });
    try {
      const pid = ffmpeg.pid as number;
      expect(readFileSync(pidFile.path, "utf8")).toBe(`${pid} ${readProcStat(pid)?.startTime}\n`);
      await waitFor(() => progress.length >= 2, 10_000, "two progress blocks");

      const streams = await ffprobeStreams(nginx.url("live", KEY), 10_000);
      expect(streams).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ codec_type: "video", codec_name: "h264", width: 1280, height: 720 }),
          expect.objectContaining({ codec_type: "audio", codec_name: "aac", sample_rate: "48000" }),
        ]),
      );
      // The key reached the server verbatim, as the publish name.
      expect(nginx.log()).toContain(`publish: name='${KEY}'`);
      expect(ffmpeg.lastProgress?.totalSizeBytes).toBeGreaterThan(100_000);

      const exit = await ffmpeg.stop();
      expect(exit).toEqual(expect.objectContaining({ stoppedByUs: true, outcome: null, error: null }));
      expect([0, 255]).toContain(exit.exitCode);
      expect(existsSync(`/proc/${pid}`)).toBe(false);
      expect(readFileSync(pidFile.path, "utf8")).toBe("");
      expect(ffmpeg.stderr.texts().length).toBeGreaterThan(3);
      expect(ffmpeg.stderr.texts().join("\n")).not.toContain(KEY);
      expect(await ffmpeg.stop()).toBe(exit); // idempotent
    } finally {
      await ffmpeg.stop(1_000);
      await source.stop();
    }
  });

  it("classifies real failures, surviving EPIPE on stdin when ffmpeg quits early", async () => {
    const clip = await testClip();
    const closedPort = await freePort();
    const refused = await rtmpRelay(closedPort, "live", createReadStream(clip)).exited;
    expect(refused.outcome?.code).toBe("destination_unreachable");
    expect(refused.stoppedByUs).toBe(false);

    const lines: string[] = [];
    const denied = await rtmpRelay(nginx.port, "denied", createReadStream(clip), {
      onStderrLine: (line: { text: string }) => lines.push(line.text),
    }).exited;
    expect(denied.outcome).toEqual(expect.objectContaining({ code: "destination_rejected" }));
    expect(lines.some((line) => line.includes("Broken pipe"))).toBe(true);
  });

  it("refuses HEVC from an MPEG-TS ingest to RTMP as an unsupported codec", async () => {
    const ffmpeg = startFfmpeg({
      classify: classifyRelayExit,
      args: relayArgs({
        target: { kind: "rtmp", host: "127.0.0.1", port: nginx.port, app: "live" },
        streamKey: KEY,
        progressFd: PROGRESS_FD,
        inputFormat: "mpegts",
      }),
      input: createReadStream(await hevcClip()),
    });
    expect((await ffmpeg.exited).outcome).toEqual({
      code: "unsupported_codec",
      message: expect.stringMatching(/hevc/),
    });
  });

  it("pushes to an SRT listener with the passphrase passed verbatim; a wrong one is classified", async () => {
    const passphrase = "p&ss%20w+rd;'x";
    const port = await freePort();
    const listener = spawn(
      "ffmpeg",
      [
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-passphrase",
        passphrase,
        "-i",
        `srt://127.0.0.1:${port}?mode=listener`,
        "-f",
        "null",
        "-",
      ],
      { stdio: "ignore" },
    );
    track(listener.pid as number);
    const source = await realtimeFlv();
    // Each relay needs its own input: a stream read halfway has lost its FLV header.
    const relay = (pass: string, input: NodeJS.ReadableStream) =>
      startFfmpeg({
        classify: classifyRelayExit,
        args: relayArgs({
          target: { kind: "srt", host: "127.0.0.1", port, passphrase: pass },
          progressFd: PROGRESS_FD,
        }),
        input: input as never,
        secrets: [pass],
      });
    try {
      await waitForExec(listener.pid as number, "ffmpeg");
      await new Promise((resolve) => setTimeout(resolve, 300)); // let it bind
      const wrong = await relay("wrong-passphrase-0", createReadStream(await testClip())).exited;
      expect(wrong.outcome?.code).toBe("destination_unreachable");

      const right = relay(passphrase, source.stream);
      await waitFor(() => (right.lastProgress?.totalSizeBytes ?? 0) > 200_000, 10_000, "bytes sent over SRT");
      const exit = await right.stop();
      expect(exit.outcome).toBeNull();
      expect(right.stderr.texts().join("\n")).not.toContain(passphrase);
    } finally {
      await source.stop();
      killLeftovers();
    }
  });

  it("reports a missing ffmpeg as a spawn failure", async () => {
    const exit = await startFfmpeg({
      args: [],
      input: createReadStream("/dev/null"),
      ffmpegPath: "/nonexistent/ffmpeg",
      classify: classifyRelayExit,
    }).exited;
    expect(exit.error).toBeInstanceOf(FfmpegSpawnError);
    expect(exit.error?.message).toMatch(/could not be started/);
    expect(exit.outcome).toBeNull(); // no classifier reads an exit that never ran
    expect(exit.exitCode).toBe(127); // setpriv could not exec it
  });

  it("SIGKILL after the grace period when ffmpeg ignores SIGINT", async () => {
    // A stand-in that ignores SIGINT (ffmpeg does so while blocked in a read).
    const script = join(dir, "stubborn.sh");
    writeFileSync(script, "#!/bin/sh\ntrap '' INT\nexec sleep 30\n", { mode: 0o755 });
    const ffmpeg = startFfmpeg({
      args: [],
      input: createReadStream("/dev/null"),
      ffmpegPath: script,
      classify: classifyRelayExit,
    });
    await waitForExec(ffmpeg.pid as number, "sleep");
    const started = Date.now();
    const exit = await ffmpeg.stop(300);
    expect(exit.signal).toBe("SIGKILL");
    expect(exit.outcome).toBeNull();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe("no ffmpeg outlives its node", () => {
  it("kills ffmpeg when the node that started it is SIGKILLed (pdeathsig)", async () => {
    const pidPath = join(dir, "orphan.pids");
    // The node: starts ffmpeg through the built module, plus a control ffmpeg spawned without it.
    const script = `
      import { spawn } from "node:child_process";
      import { PassThrough } from "node:stream";
      import { startFfmpeg } from ${JSON.stringify(DIST_PROCESS)};
      import { PidFile } from ${JSON.stringify(DIST_PROCESS.replace("process.js", "pidfile.js"))};
      const args = ${JSON.stringify(IDLE_ARGS)};
      const ours = startFfmpeg({ args, input: new PassThrough(), classify: () => null, pidRegistry: new PidFile(${JSON.stringify(pidPath)}) });
      const control = spawn("ffmpeg", args, { detached: true, stdio: "ignore" });
      console.log(JSON.stringify({ ours: ours.pid, control: control.pid }));
      setInterval(() => {}, 1000);
    `;
    const node = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pids = await firstLine(node);
    track(pids.ours, pids.control); // a start time survives exec, so this is safe before it
    await waitForExec(pids.ours, "ffmpeg");
    await waitForExec(pids.control, "ffmpeg");

    const nodeExited = new Promise((resolve) => node.once("exit", resolve));
    node.kill("SIGKILL");
    await nodeExited;
    await waitFor(() => !isAlive(pids.ours), 3_000, "the orphaned ffmpeg to die");
    // Without the parent-death signal an orphan lives on: the control proves the test can fail.
    expect(isAlive(pids.control)).toBe(true);
    // Its PID file still lists it, and the next start's sweep finds nothing of ours alive.
    expect(readFileSync(pidPath, "utf8")).toMatch(new RegExp(`^${pids.ours} \\d+\\n$`));
    expect(await sweepStalePids(pidPath)).toEqual({ killed: [], skipped: [pids.ours] });
    killLeftovers();
  });

  it("the start-up sweep kills a listed ffmpeg only when its start time matches", async () => {
    const spawnIdle = (command: string, args: string[]): ChildProcess =>
      spawn(command, args, { detached: true, stdio: "ignore" });
    const stale = spawnIdle("ffmpeg", IDLE_ARGS);
    const recycled = spawnIdle("ffmpeg", IDLE_ARGS);
    const notFfmpeg = spawnIdle("sleep", ["30"]);
    const [a, b, c] = [stale.pid, recycled.pid, notFfmpeg.pid] as number[];
    track(a as number, b as number, c as number);
    const staleExit = new Promise((resolve) => stale.once("exit", (_code, signal) => resolve(signal)));
    await waitForExec(a as number, "ffmpeg");
    await waitForExec(b as number, "ffmpeg");
    await waitForExec(c as number, "sleep");
    const start = (pid: number) => readProcStat(pid)?.startTime as string;
    const path = join(dir, "sweep.pids");
    writeFileSync(
      path,
      `${a} ${start(a as number)}\n${b} ${Number(start(b as number)) + 1}\n${c} ${start(c as number)}\n`,
    );

    const report = await sweepStalePids(path);

    expect(report).toEqual({ killed: [a], skipped: [b, c] });
    expect(await staleExit).toBe("SIGKILL");
    expect(isAlive(b as number)).toBe(true);
    expect(isAlive(c as number)).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("");
    killLeftovers();
  });
});

function firstLine(child: ChildProcess): Promise<{ ours: number; control: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the child node printed nothing")), 10_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as { ours: number; control: number });
    });
  });
}
