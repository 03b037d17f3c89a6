// What any local user reads of a process tree: /proc/<pid>/cmdline of every descendant. For the
// tests that look for secrets in child processes' arguments, from outside and inside a PID and
// mount namespace whose /proc hides other users' processes (hidepid).
import { readFileSync } from "node:fs";
import { execa } from "execa";
import { childPids } from "./node-process.js";

export interface ProcArgv {
  readonly pid: number;
  readonly argv: string;
}

/** Every descendant of `pid` (children, grandchildren, ...) with its arguments joined by spaces. */
export function descendantArgv(pid: number): ProcArgv[] {
  const found: ProcArgv[] = [];
  for (const child of childPids(pid)) {
    try {
      found.push({
        pid: child,
        argv: readFileSync(`/proc/${child}/cmdline`, "utf8").replaceAll("\0", " ").trim(),
      });
    } catch {
      // gone meanwhile
    }
    found.push(...descendantArgv(child));
  }
  return found;
}

/**
 * The argv of every process visible in the namespaces of `pid` (`nsenter -m -p`), read as root or
 * as the user `uid`: what that user can read of the node's children there.
 */
export async function argvInNamespace(pid: number, uid: number): Promise<string[]> {
  const user = uid === 0 ? [] : ["setpriv", "--reuid", String(uid), "--regid", String(uid), "--clear-groups"];
  const read = 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f" 2>/dev/null; echo; done';
  const { stdout } = await execa(
    "nsenter",
    ["-t", String(pid), "-m", "-p", "--", ...user, "sh", "-c", read],
    {
      timeout: 10_000,
    },
  );
  return stdout.split("\n").filter((line) => line.trim() !== "");
}
