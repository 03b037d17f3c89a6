// Child processes of a benchmark: each started here is remembered by PID and stopped by PID
// (SIGTERM, SIGKILL after a grace) when done, at the end of the run, or on Ctrl-C. Never by name.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last lines of stderr (and of stdout unless a stdout handler takes them). */
  readonly tail: string[];
  readonly exited: Promise<void>;
  running(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves after the exit. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly onStdoutLine?: (line: string) => void;
  readonly graceMs?: number;
}

const TAIL_LINES = 50;
const live = new Set<Proc>();

export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): Proc {
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: options.env,
    cwd: options.cwd,
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const tail: string[] = [];
  const keep = (line: string): void => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  createInterface({ input: child.stdout }).on("line", options.onStdoutLine ?? keep);
  createInterface({ input: child.stderr }).on("line", keep);
  let done = false;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  }).then(() => {
    done = true;
  });
  let stopping: Promise<void> | undefined;
  const proc: Proc = {
    name,
    pid: child.pid,
    child,
    tail,
    exited,
    running: () => !done,
    stop: (graceMs = options.graceMs ?? 3_000) => {
      stopping ??= (async () => {
        if (done) return;
        signal(child.pid as number, "SIGTERM");
        const timer = setTimeout(() => signal(child.pid as number, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
  live.add(proc);
  void exited.then(() => live.delete(proc));
  return proc;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Stops every process still running, the most recent first (players before the server they use). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].reverse().map((proc) => proc.stop()));
}

/** On SIGINT/SIGTERM: run the clean-up once, then exit 130. */
export function onInterrupt(cleanup: () => Promise<void>, name = "bench"): void {
  let once = false;
  const handler = (signal: string): void => {
    if (once) return;
    once = true;
    process.stderr.write(`\n${name}: ${signal}, stopping every process it started\n`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", () => handler("SIGINT"));
  process.once("SIGTERM", () => handler("SIGTERM"));
}
