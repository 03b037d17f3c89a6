// Starts a real Streamwell node (the built dist/bin/streamwell.js) as a child process on
// loopback with port 0, waits for the port it logs, and stops it by PID. Tests use it to
// exercise the node exactly as `npm start` runs it.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const ENTRY = new URL("../../dist/bin/streamwell.js", import.meta.url).pathname;
const START_TIMEOUT_MS = 20_000;
export const ADMIN_PASSWORD = "admin-password-for-tests";
/** The secret key every test node of a mesh shares (a mesh refuses to start without one). */
export const MESH_SECRET_KEY = Buffer.alloc(32, 0x5e).toString("base64");
/** STREAMWELL_MESH_SECRET of every node a test starts on NATS, unless its env says otherwise. */
export const MESH_SECRET = "mesh-secret-for-tests-0123456789abcdef";

export interface NodeProcess {
  readonly baseUrl: string;
  /** rtmp://127.0.0.1:PORT/live: the node's RTMP ingest. */
  readonly rtmpBase: string;
  readonly dataDir: string;
  readonly pid: number;
  /** Every stdout and stderr line so far (to assert no secret was logged). */
  readonly output: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), "streamwell-test-"));
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startNode(options: {
  dataDir: string;
  /** Joins a mesh: STREAMWELL_NATS_URL (credentials may be in it), with MESH_SECRET. */
  natsUrl?: string;
  /** STREAMWELL_MESH_SECRET with NATS (default MESH_SECRET); null: none. */
  meshSecret?: string | null;
  /** STREAMWELL_NODE_ID; nodes of one mesh need different ones. Default "test-node". */
  nodeId?: string;
  env?: Record<string, string>;
  /** A command the node runs under (e.g. unshare into new namespaces); it ends by exec'ing its arguments. */
  wrapper?: readonly string[];
}): Promise<NodeProcess> {
  const [command = process.execPath, ...args] = [...(options.wrapper ?? []), process.execPath, ENTRY];
  const child = spawn(command, args, {
    env: {
      PATH: process.env.PATH ?? "",
      STREAMWELL_DATA_DIR: options.dataDir,
      STREAMWELL_HTTP_PORT: "0",
      STREAMWELL_RTMP_PORT: "0",
      STREAMWELL_BIND_HOST: "127.0.0.1",
      STREAMWELL_PUBLIC_HOST: "127.0.0.1",
      STREAMWELL_NODE_ID: options.nodeId ?? "test-node",
      STREAMWELL_ADMIN_PASSWORD: ADMIN_PASSWORD,
      STREAMWELL_LOG_LEVEL: "info",
      ...(options.natsUrl && {
        STREAMWELL_NATS_URL: options.natsUrl,
        STREAMWELL_SECRET_KEY: MESH_SECRET_KEY,
      }),
      ...(options.natsUrl &&
        options.meshSecret !== null && {
          STREAMWELL_MESH_SECRET: options.meshSecret ?? MESH_SECRET,
        }),
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => output.push(line));
  const ports = await new Promise<{ http: number; rtmp: number }>((resolve, reject) => {
    const seen: Record<string, number> = {};
    const timer = setTimeout(
      () => reject(new Error(`node did not listen in time:\n${output.join("\n")}`)),
      START_TIMEOUT_MS,
    );
    child.once("exit", (code) => reject(new Error(`node exited with ${code}:\n${output.join("\n")}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      output.push(line);
      const match = /"event":"listening","protocol":"(\w+)","port":(\d+)/.exec(line);
      if (match?.[1]) seen[match[1]] = Number(match[2]);
      if (seen.http && seen.rtmp) {
        clearTimeout(timer);
        resolve({ http: seen.http, rtmp: seen.rtmp });
      }
    });
  }).catch(async (error: unknown) => {
    child.kill("SIGKILL");
    await waitForExit(child, 5_000);
    throw error;
  });
  return {
    baseUrl: `http://127.0.0.1:${ports.http}`,
    rtmpBase: `rtmp://127.0.0.1:${ports.rtmp}/live`,
    dataDir: options.dataDir,
    pid: child.pid as number,
    output,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      child.kill(signal);
      await waitForExit(child, 10_000);
    },
  };
}

/** PIDs of the children of a process, zombies included: e.g. a node's ffmpeg relays. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}
