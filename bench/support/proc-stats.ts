// CPU and memory of a set of processes from /proc: utime+stime ticks per process (so a process that
// starts or ends inside the window counts for the part it ran), PSS from smaps_rollup, RSS from status.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

interface Stat {
  readonly ppid: number;
  readonly ticks: number;
  /** Start time in ticks since boot: with the PID, names one process even if the PID is reused. */
  readonly started: number;
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm) ": state ppid ... utime(14) stime(15) ... starttime(22), 1-based.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      started: Number(fields[19]),
    };
  } catch {
    return null;
  }
}

/** A "<field>: N kB" line of /proc/<pid>/<file>, in kB; 0 if the process is gone. */
function kbField(pid: number, file: string, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(
      readFileSync(`/proc/${pid}/${file}`, "utf8"),
    );
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export const pssKb = (pid: number): number => kbField(pid, "smaps_rollup", "Pss");
export const rssKb = (pid: number): number => kbField(pid, "status", "VmRSS");

/** Every descendant of a process (children, their children, ...). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** A process by PID and start time: to signal leftovers later without hitting a reused PID. */
export interface ProcessId {
  readonly pid: number;
  readonly started: number;
}

export function identify(pids: readonly number[]): ProcessId[] {
  return pids.flatMap((pid) => {
    const stat = readStat(pid);
    return stat ? [{ pid, started: stat.started }] : [];
  });
}

/** SIGKILLs those of the given processes that still run (same PID and start time). */
export function killLeftovers(ids: readonly ProcessId[]): number {
  let killed = 0;
  for (const { pid, started } of ids) {
    if (readStat(pid)?.started !== started) continue;
    try {
      process.kill(pid, "SIGKILL");
      killed += 1;
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}

export interface Usage {
  /** Percent of one core over the window. */
  readonly cpuPercent: number;
  /** Mean over the samples of the summed PSS, in MB. */
  readonly pssMb: number;
  readonly pssMaxMb: number;
  /** Mean over the samples of the summed RSS (shared pages counted in each process), in MB. */
  readonly rssMb: number;
  readonly rssMaxMb: number;
  /** Processes seen during the window. */
  readonly processes: number;
  readonly seconds: number;
}

/** Samples a set of processes (given anew each time, e.g. a node and its descendants) until stop(). */
export class UsageSampler {
  private readonly first = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private readonly pss: number[] = [];
  private readonly rss: number[] = [];
  private readonly startedAt = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: () => number[],
    intervalMs = 1_000,
  ) {
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), intervalMs);
  }

  private sample(initial: boolean): void {
    let pss = 0;
    let rss = 0;
    for (const pid of this.pids()) {
      const stat = readStat(pid);
      if (!stat) continue;
      const key = `${pid}@${stat.started}`;
      // A process first seen after the window opened ran all its ticks inside it.
      if (!this.first.has(key)) this.first.set(key, initial ? stat.ticks : 0);
      this.last.set(key, stat.ticks);
      pss += pssKb(pid);
      rss += rssKb(pid);
    }
    this.pss.push(pss);
    this.rss.push(rss);
  }

  stop(): Usage {
    this.sample(false);
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    let ticks = 0;
    for (const [key, last] of this.last) ticks += last - (this.first.get(key) ?? 0);
    const meanMb = (kbs: number[]) => kbs.reduce((sum, kb) => sum + kb, 0) / kbs.length / 1024;
    return {
      cpuPercent: (ticks / TICKS_PER_SECOND / seconds) * 100,
      pssMb: meanMb(this.pss),
      pssMaxMb: Math.max(...this.pss) / 1024,
      rssMb: meanMb(this.rss),
      rssMaxMb: Math.max(...this.rss) / 1024,
      processes: this.last.size,
      seconds,
    };
  }
}
