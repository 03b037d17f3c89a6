// One running ffmpeg: spawn, feed, watch, stop. The actor owns timing (retries, the stall watchdog);
// this owns the process: it never outlives the node, never leaves a zombie, and every stderr line is
// redacted before anything keeps it. It knows nothing of what it runs: what an exit means is the
// caller's classifier's business (./exit.ts).
//
// - `setpriv --pdeathsig KILL --` execs ffmpeg (same PID) with a parent-death signal, so a node that
//   is SIGKILLed takes its ffmpegs with it. The signal follows the thread that spawned it: spawn from
//   the main thread only (not from a worker thread that may end first).
// - detached: its own process group, so stop() signals the group and a Ctrl-C aimed at the node's
//   terminal group does not reach ffmpeg before the node has decided to stop it.
// - stop(): SIGINT (ffmpeg finishes the output and exits 255), EOF on stdin (unblocks an ffmpeg stuck
//   reading a stalled input: it ignores the first signal while blocked), SIGKILL after the grace.
import type { Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { execa } from "execa";
import { PROGRESS_FD } from "./args.js";
import { FfmpegSpawnError } from "./errors.js";
import type { ExitClassifier } from "./exit.js";
import { SCRIPT_FD } from "./input-script.js";
import type { PidRegistry } from "./pidfile.js";
import { ProgressParser, type ProgressStats } from "./progress.js";
import { type StderrLine, StderrRing } from "./stderr.js";

export const DEFAULT_STOP_GRACE_MS = 5_000;

export interface FfmpegExit<O> {
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Set when ffmpeg could not be started at all. */
  readonly error: FfmpegSpawnError | null;
  readonly stoppedByUs: boolean;
  /** The input stream failed (e.g. the hub cut a slow reader); ffmpeg then saw EOF. */
  readonly inputError: Error | null;
  /** The caller's classifier's reading of this exit; null when it saw nothing wrong, or `error` is set. */
  readonly outcome: O | null;
}

export interface StartFfmpegOptions<O> {
  /** Everything after "ffmpeg", e.g. relayArgs({ ..., progressFd: PROGRESS_FD }). */
  readonly args: readonly string[];
  /** Becomes ffmpeg's stdin. Not ours: it is unpiped at exit, never destroyed here. None: stdin is closed. */
  readonly input?: Readable;
  /** ffmpeg's stdout (an ingest's output, `pipe:1`), chunk by chunk; unset: stdout is discarded. */
  readonly onStdout?: (chunk: Buffer) => void;
  /** Written to fd SCRIPT_FD and closed: an input script (input-script.ts) with what must not be in argv. */
  readonly script?: string;
  /** Replaced by "***" in every stderr line (stream key, passphrase). */
  readonly secrets?: readonly string[];
  readonly pidRegistry?: PidRegistry;
  /** For tests (a fake ffmpeg script); default "ffmpeg" from PATH. */
  readonly ffmpegPath?: string;
  readonly onProgress?: (stats: ProgressStats) => void;
  readonly onStderrLine?: (line: StderrLine) => void;
  /** What an exit means to this caller: a relay's, a listener's (./exit.ts). */
  readonly classify: ExitClassifier<O>;
  /** Called once, before `exited` resolves. */
  readonly onExit?: (exit: FfmpegExit<O>) => void;
}

export function startFfmpeg<O>(options: StartFfmpegOptions<O>): FfmpegProcess<O> {
  return new FfmpegProcess(options);
}

export class FfmpegProcess<O> {
  readonly pid: number | undefined;
  readonly stderr: StderrRing;
  readonly exited: Promise<FfmpegExit<O>>;
  private readonly subprocess;
  private latestProgress: ProgressStats | null = null;
  private stopRequested = false;
  private reaped = false;
  private inputError: Error | null = null;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StartFfmpegOptions<O>) {
    this.stderr = new StderrRing({ secrets: options.secrets ?? [] });
    this.subprocess = execa(
      "setpriv",
      ["--pdeathsig", "KILL", "--", options.ffmpegPath ?? "ffmpeg", ...options.args],
      {
        // fd 3 (PROGRESS_FD) carries -progress, fd 4 (SCRIPT_FD) an input script.
        stdio: [
          options.input ? "pipe" : "ignore",
          options.onStdout ? "pipe" : "ignore",
          "pipe",
          "pipe",
          ...(options.script === undefined ? [] : ["pipe" as const]),
        ],
        detached: true,
        buffer: false,
        reject: false,
      },
    );
    this.pid = this.subprocess.pid;
    // Set in the same tick as the kernel reaps it: after this, the PID may belong to someone else.
    this.subprocess.once("exit", () => {
      this.reaped = true;
    });
    if (this.pid !== undefined) options.pidRegistry?.add(this.pid);
    this.wireInput();
    this.writeScript();
    this.exited = this.waitForExit();
  }

  /** The last -progress block; null before the first. */
  get lastProgress(): ProgressStats | null {
    return this.latestProgress;
  }

  /** Idempotent; resolves once the process has exited and been reaped. */
  stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<FfmpegExit<O>> {
    if (this.stopRequested || this.reaped) return this.exited;
    this.stopRequested = true;
    this.signalGroup("SIGINT");
    this.endInput();
    this.killTimer = setTimeout(() => this.signalGroup("SIGKILL"), graceMs);
    return this.exited;
  }

  private wireInput(): void {
    const { stdin } = this.subprocess;
    const { input } = this.options;
    if (!stdin || !input) return;
    // EPIPE/ECONNRESET once ffmpeg has exited (or closed stdin) are expected: exit handling says why.
    stdin.on("error", () => {});
    input.on("error", (error: Error) => {
      this.inputError ??= error;
      this.endInput();
    });
    input.pipe(stdin);
  }

  private writeScript(): void {
    const pipe = this.subprocess.stdio[SCRIPT_FD] as Writable | null | undefined;
    if (!pipe || this.options.script === undefined) return;
    pipe.on("error", () => {}); // EPIPE: ffmpeg exited before reading it; its exit says why
    pipe.end(this.options.script);
  }

  private endInput(): void {
    const { stdin } = this.subprocess;
    if (!stdin) return;
    this.options.input?.unpipe(stdin);
    stdin.end();
  }

  private wireOutputs(): Promise<unknown>[] {
    const waits: Promise<unknown>[] = [];
    const { stderr, stdout } = this.subprocess;
    const { onStdout } = this.options;
    if (stdout && onStdout) {
      stdout.on("data", (chunk: Buffer) => onStdout(chunk));
      waits.push(finished(stdout).catch(() => {}));
    }
    if (stderr) {
      stderr.setEncoding("utf8");
      stderr.on("data", (chunk: string) => this.emitLines(this.stderr.push(chunk)));
      waits.push(finished(stderr).catch(() => {}));
    }
    const progress = this.subprocess.stdio[PROGRESS_FD] as Readable | null | undefined;
    if (progress) {
      const parser = new ProgressParser();
      progress.setEncoding("utf8");
      progress.on("data", (chunk: string) => {
        for (const stats of parser.push(chunk)) {
          this.latestProgress = stats;
          this.options.onProgress?.(stats);
        }
      });
      waits.push(finished(progress).catch(() => {}));
    }
    return waits;
  }

  private async waitForExit(): Promise<FfmpegExit<O>> {
    const outputs = this.wireOutputs();
    const result = await this.subprocess;
    // execa settles after the streams end; this also makes sure the last lines were handled.
    await Promise.all(outputs);
    clearTimeout(this.killTimer);
    this.reaped = true;
    if (this.subprocess.stdin) this.options.input?.unpipe(this.subprocess.stdin);
    if (this.pid !== undefined) this.options.pidRegistry?.remove(this.pid);
    this.emitLines(this.stderr.end());
    const exit = this.describeExit(result.exitCode, result.signal, result.failed ? result : null);
    this.options.onExit?.(exit);
    return exit;
  }

  private describeExit(
    exitCode: number | undefined,
    signal: string | undefined,
    failure: { shortMessage?: string; cause?: unknown } | null,
  ): FfmpegExit<O> {
    // Either Node could not start setpriv, or setpriv could not exec ffmpeg (it exits 126/127).
    const spawnFailed =
      (exitCode === undefined && signal === undefined) ||
      ((exitCode === 126 || exitCode === 127) && this.stderr.texts().some((t) => t.startsWith("setpriv: ")));
    const error = spawnFailed
      ? new FfmpegSpawnError("ffmpeg could not be started (are ffmpeg and setpriv installed?)", {
          cause: failure?.cause ?? failure,
        })
      : null;
    const base = {
      exitCode: exitCode ?? null,
      signal: signal ?? null,
      error,
      stoppedByUs: this.stopRequested,
      inputError: this.inputError,
    };
    const outcome = error ? null : this.options.classify({ ...base, stderrLines: this.stderr.texts() });
    return { ...base, outcome };
  }

  private emitLines(lines: StderrLine[]): void {
    for (const line of lines) this.options.onStderrLine?.(line);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.reaped || this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: it exited between our check and the signal.
    }
  }
}
