// A registry of the ffmpeg processes this node started, in the data dir, so that a node that was
// SIGKILLed (no cleanup ran) can kill what it left behind at its next start. setpriv --pdeathsig
// already kills them with their parent; this covers the gaps (a parent that died between fork and
// prctl, a process that ignored it). One "pid starttime" per line: the start time (/proc stat field
// 22) makes a recycled PID harmless, and only an ffmpeg (or srt-fanout) is ever killed.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { isAlive, readCmdline, readProcStat } from "./proc-facts.js";

/** What the process wrapper needs: a narrow face, so tests can pass a fake. */
export interface PidRegistry {
  add(pid: number): void;
  remove(pid: number): void;
}

export interface PidEntry {
  readonly pid: number;
  readonly startTime: string;
}

export class PidFile implements PidRegistry {
  private readonly entries = new Map<number, string>();

  /** Sweep the file first (sweepStalePids): the first write replaces whatever it held. */
  constructor(
    readonly path: string,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  add(pid: number): void {
    const stat = readProcStat(pid);
    if (!stat) return; // already gone: nothing to sweep later
    this.entries.set(pid, stat.startTime);
    this.write();
  }

  remove(pid: number): void {
    if (this.entries.delete(pid)) this.write();
  }

  private write(): void {
    const text = [...this.entries].map(([pid, start]) => `${pid} ${start}\n`).join("");
    // Write-then-rename: a node killed mid-write leaves the old file or the new one, never half.
    const temp = `${this.path}.tmp`;
    try {
      writeFileSync(temp, text);
      renameSync(temp, this.path);
    } catch (error) {
      // The registry is a safety net; failing to keep it must not fail a restream.
      this.onError(error);
    }
  }
}

export function parsePidFile(text: string): PidEntry[] {
  const entries: PidEntry[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (match?.[1] && match[2]) entries.push({ pid: Number(match[1]), startTime: match[2] });
  }
  return entries;
}

export interface SweepReport {
  readonly killed: number[];
  /** Listed but not ours any more (gone, recycled, or not an ffmpeg). */
  readonly skipped: number[];
}

const SWEEP_WAIT_MS = 2_000;

/** At node start: SIGKILLs each listed process whose PID, start time and command (ffmpeg) all
 * match, waits (bounded) until they are gone, and empties the file. */
export async function sweepStalePids(path: string, waitMs = SWEEP_WAIT_MS): Promise<SweepReport> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { killed: [], skipped: [] };
    throw error;
  }
  const report: SweepReport = { killed: [], skipped: [] };
  for (const entry of parsePidFile(text)) {
    if (killIfOurs(entry)) report.killed.push(entry.pid);
    else report.skipped.push(entry.pid);
  }
  writeFileSync(path, "");
  const deadline = Date.now() + waitMs;
  while (report.killed.some(isAlive) && Date.now() < deadline) await sleep(20);
  return report;
}

/** What this node runs under the registry: ffmpeg, and the Remote Playback listener (fanout.ts). */
const OUR_COMMANDS = new Set(["ffmpeg", "srt-fanout"]);

function killIfOurs(entry: PidEntry): boolean {
  const stat = readProcStat(entry.pid);
  if (!stat || stat.startTime !== entry.startTime || !isAlive(entry.pid)) return false;
  const argv0 = readCmdline(entry.pid)?.[0];
  if (!argv0 || !OUR_COMMANDS.has(basename(argv0))) return false;
  try {
    // We started each ffmpeg as a process-group leader; kill the group only if it still is one.
    process.kill(stat.pgrp === entry.pid ? -entry.pid : entry.pid, "SIGKILL");
    return true;
  } catch {
    return false; // exited meanwhile
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
