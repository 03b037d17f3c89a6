// Reads the few /proc facts the PID registry needs to tell "our ffmpeg" from a recycled PID.
// Linux only, like setpriv --pdeathsig.
import { readFileSync } from "node:fs";

export interface ProcStat {
  readonly pid: number;
  /** R, S, D, Z (zombie), ... */
  readonly state: string;
  readonly pgrp: number;
  /** Field 22: clock ticks after boot. Together with the PID it names one process for good. */
  readonly startTime: string;
}

/** Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and ')', so fields are
 * counted from the last ')'. */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(")");
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isSafeInteger(pid)) return null;
  // After ")" come fields 3 (state), 4 (ppid), 5 (pgrp), ... 22 (starttime).
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = rest[0];
  const pgrp = Number(rest[2]);
  const startTime = rest[19];
  if (!state || !Number.isSafeInteger(pgrp) || !startTime || !/^\d+$/.test(startTime)) return null;
  return { pid, state, pgrp, startTime };
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return null;
  }
}

/** argv of a process; empty for a zombie, null when it is gone. */
export function readCmdline(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((arg) => arg !== "");
  } catch {
    return null;
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.state !== "Z" && stat.state !== "X";
}
