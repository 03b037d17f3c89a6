// A Streamwell node as `npm start` runs it (dist/bin/streamwell.js), on loopback with port 0, with a
// temp data dir; and a minimal JSON client of its REST API.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendants, identify, killLeftovers } from "./proc-stats.js";
import { type Proc, startProcess } from "./processes.js";

// The built node, whether this file runs built (dist/bench/support) or from source in a test.
const ENTRY = new URL(
  import.meta.url.includes("/dist/") ? "../../bin/streamwell.js" : "../../dist/bin/streamwell.js",
  import.meta.url,
).pathname;
const START_TIMEOUT_MS = 20_000;

export interface StreamwellNode {
  readonly nodeId: string;
  readonly proc: Proc;
  readonly api: Api;
  /** rtmp://127.0.0.1:PORT/live */
  readonly rtmpBase: string;
  stop(): Promise<void>;
}

export interface StreamwellOptions {
  readonly nodeId?: string;
  readonly adminPassword?: string;
  /** More STREAMWELL_* settings: a mesh's NATS URL, fixed ports. */
  readonly env?: Readonly<Record<string, string>>;
  /** Each line the node logs to stdout (JSON), e.g. to time its events. */
  readonly onLine?: (line: string) => void;
  /** Node.js flags before the entry point, e.g. `--cpu-prof` (NODE_OPTIONS refuses it). */
  readonly nodeArgs?: readonly string[];
}

export async function startStreamwell(options: StreamwellOptions = {}): Promise<StreamwellNode> {
  const dataDir = mkdtempSync(join(tmpdir(), "streamwell-bench-node-"));
  const password = options.adminPassword ?? randomBytes(12).toString("hex");
  const nodeId = options.nodeId ?? "bench-node";
  const seen: Record<string, number> = {};
  let ready: () => void = () => {};
  const listening = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const proc = startProcess(`streamwell ${nodeId}`, process.execPath, [...(options.nodeArgs ?? []), ENTRY], {
    cwd: dataDir,
    graceMs: 15_000,
    env: {
      PATH: process.env.PATH ?? "",
      STREAMWELL_DATA_DIR: dataDir,
      STREAMWELL_HTTP_PORT: "0",
      STREAMWELL_RTMP_PORT: "0",
      STREAMWELL_BIND_HOST: "127.0.0.1",
      STREAMWELL_PUBLIC_HOST: "127.0.0.1",
      STREAMWELL_NODE_ID: nodeId,
      STREAMWELL_ADMIN_PASSWORD: password,
      STREAMWELL_LOG_LEVEL: "info",
      ...options.env,
    },
    onStdoutLine: (line) => {
      options.onLine?.(line);
      const match = /"event":"listening","protocol":"(\w+)","port":(\d+)/.exec(line);
      if (match?.[1]) seen[match[1]] = Number(match[2]);
      if (seen.http && seen.rtmp) ready();
    },
  });
  const stop = async (): Promise<void> => {
    // Its ffmpegs die with it (pdeathsig); any left over is killed by PID and start time.
    const children = identify(descendants(proc.pid));
    await proc.stop();
    killLeftovers(children);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const outcome = await Promise.race([
    listening.then(() => "ok"),
    proc.exited.then(() => "exited"),
    new Promise((resolve) => setTimeout(resolve, START_TIMEOUT_MS, "timeout")),
  ]);
  if (outcome !== "ok") {
    await stop();
    throw new Error(`streamwell did not start (${outcome}):\n${proc.tail.join("\n")}`);
  }
  const api = await new Api(`http://127.0.0.1:${seen.http}`).login("admin", password);
  return { nodeId, proc, api, rtmpBase: `rtmp://127.0.0.1:${seen.rtmp}/live`, stop };
}

export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /** The session token, for clients other than this one (an event stream). */
  get bearer(): string | undefined {
    return this.token;
  }

  async login(username: string, password: string): Promise<Api> {
    const body = await this.call<{ token: string }>("POST", "/auth/login", { username, password });
    return new Api(this.baseUrl, body.token);
  }

  /** Calls /api/v1<path>; throws on a status other than 2xx. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get = <T>(path: string) => this.call<T>("GET", path);
  post = <T>(path: string, body?: unknown) => this.call<T>("POST", path, body);
  delete = (path: string) => this.call<void>("DELETE", path);
}

export interface RestreamView {
  readonly id: string;
  readonly state: "stopped" | "awaiting_stream" | "streaming" | "error";
  readonly stats: { readonly restarts: number; readonly speed: number; readonly bytesSent: number };
  readonly error?: { readonly code: string; readonly message: string } | null;
}
