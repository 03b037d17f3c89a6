// The ffmpeg PIDs a unit under test started, to find orphans: a process still running that no map
// of the unit holds. Checked by PID, never by name; `killAll` is the test's own safety net.
import type { PidRegistry } from "../../node/ffmpeg/pidfile.js";

export class RecordingPids implements PidRegistry {
  readonly started: number[] = [];

  add(pid: number): void {
    this.started.push(pid);
  }

  remove(): void {}

  /** Started PIDs still running (an exited child is reaped by the wrapper before `exited` resolves). */
  alive(): number[] {
    return this.started.filter(isRunning);
  }

  /** SIGKILLs what is left, so a failing test leaves nothing behind. */
  killAll(): void {
    for (const pid of this.alive()) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
