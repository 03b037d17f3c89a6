// A real third-party RTMP server for tests: Debian's nginx with its RTMP module, on a free loopback
// port, everything (config, logs, pid) in a temp dir. Applications can refuse publishing outright
// (`deny publish`) or through an on_publish hook answered by a tiny HTTP server in this process:
// a fixed status per application, or 2xx only for the stream keys it lists. The hook records every
// publish it was asked about. Stopped by PID; nothing is ever killed by name.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canConnect, freePort } from "../../bench/support/net.js";

export { freePort };

export interface NginxApplication {
  readonly name: string;
  readonly publish?: "allow" | "deny";
  /** Status the on_publish hook answers (2xx allows, anything else refuses). */
  readonly onPublishStatus?: number;
  /** The on_publish hook allows only these stream keys (200) and refuses any other (403). */
  readonly allowKeys?: readonly string[];
  /** Record on_publish and on_publish_done (allowing every publish), to count publishers. */
  readonly watchPublishers?: boolean;
  /** `record all`: every publish is written to an FLV file of its own (recordings()). */
  readonly record?: boolean;
}

/** One publish the on_publish hook was asked about. */
export interface PublishAttempt {
  readonly app: string;
  /** The stream key (nginx-rtmp's `name`). */
  readonly name: string;
  readonly allowed: boolean;
}

/** A publisher began (on_publish, allowed) or ended (on_publish_done), as nginx-rtmp reported it. */
export interface PublisherEvent {
  readonly app: string;
  readonly name: string;
  readonly call: "publish" | "publish_done";
}

export interface NginxRtmp {
  readonly port: number;
  readonly pid: number;
  url(app?: string, key?: string): string;
  /** The server's error log (info level: connect/publish/play lines). */
  log(): string;
  /** The publishes the on_publish hook answered, oldest first (empty without a hook). */
  publishAttempts(): readonly PublishAttempt[];
  /** The most publishers one stream key had at once, from the hooks (`watchPublishers` apps). */
  maxConcurrentPublishers(name: string): number;
  /** Publishes begun and ended, oldest first, from the hooks (`watchPublishers` apps). */
  publisherEvents(): readonly PublisherEvent[];
  /** The FLV files `record` applications wrote, one per publish (path, oldest first). */
  recordings(): string[];
  /** SIGTERM, then SIGKILL after 3 s; resolves after exit. Safe to call twice. */
  stop(): Promise<void>;
  /** Sends a signal (e.g. SIGKILL to simulate a crash) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const START_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 3_000;

/** Binds port 0 on loopback, reads the port, closes: a tiny race, accepted in tests. */

export async function startNginxRtmp(
  options: {
    applications?: readonly NginxApplication[];
    /** Listen on this port (e.g. a crashed server's, to bring it back); default a free one. */
    port?: number;
  } = {},
): Promise<NginxRtmp> {
  const applications = options.applications ?? [{ name: "live" }];
  const dir = mkdtempSync(join(tmpdir(), "streamwell-nginx-"));
  const hook = applications.some(
    (app) => app.onPublishStatus !== undefined || app.allowKeys !== undefined || app.watchPublishers,
  )
    ? await startHook(applications)
    : null;
  const port = options.port ?? (await freePort());
  const recordDir = join(dir, "recordings");
  mkdirSync(recordDir);
  writeFileSync(join(dir, "nginx.conf"), config(dir, port, applications, hook?.port));
  const child = spawn("nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let startupErrors = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    startupErrors += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const cleanup = async (): Promise<void> => {
    await stopChild(child, exited, "SIGTERM");
    await new Promise<void>((resolve) => (hook ? hook.server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  const log = (): string => readIfExists(join(dir, "error.log"));
  try {
    await waitForPort(port, exited);
  } catch (error) {
    const details = `${startupErrors}\n${log()}`;
    await cleanup();
    throw new Error(`nginx-rtmp did not start: ${(error as Error).message}\n${details}`);
  }
  let stopping: Promise<void> | undefined;
  return {
    port,
    pid: child.pid as number,
    url: (app = "live", key?: string) =>
      `rtmp://127.0.0.1:${port}/${app}${key === undefined ? "" : `/${key}`}`,
    log,
    publishAttempts: () => [...(hook?.attempts ?? [])],
    maxConcurrentPublishers: (name) => maxConcurrent(hook?.events ?? [], name),
    publisherEvents: () => [...(hook?.events ?? [])],
    recordings: () =>
      readdirSync(recordDir)
        .map((file) => join(recordDir, file))
        .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs),
    stop: () => {
      stopping ??= cleanup();
      return stopping;
    },
    kill: async (signal) => {
      await stopChild(child, exited, signal);
    },
  };
}

function config(
  dir: string,
  port: number,
  applications: readonly NginxApplication[],
  hookPort: number | undefined,
): string {
  const apps = applications.map((app) => {
    const lines = ["live on;"];
    // record_unique: a second publish of the same key would be a second file.
    if (app.record) lines.push("record all;", `record_path ${join(dir, "recordings")};`, "record_unique on;");
    else lines.push("record off;");
    if (app.publish === "deny") lines.push("deny publish all;");
    if (app.onPublishStatus !== undefined || app.allowKeys !== undefined || app.watchPublishers)
      lines.push(`on_publish http://127.0.0.1:${hookPort}/${app.name};`);
    if (app.watchPublishers) lines.push(`on_publish_done http://127.0.0.1:${hookPort}/${app.name};`);
    return `    application ${app.name} { ${lines.join(" ")} }`;
  });
  // master_process off: one process, whose PID is the child's, so stop() by PID stops it all.
  return `load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} info;
events { worker_connections 256; }
rtmp {
  server {
    listen 127.0.0.1:${port};
${apps.join("\n")}
  }
}
`;
}

async function startHook(
  applications: readonly NginxApplication[],
): Promise<{ server: Server; port: number; attempts: PublishAttempt[]; events: PublisherEvent[] }> {
  const byPath = new Map(applications.map((app) => [`/${app.name}`, app]));
  const attempts: PublishAttempt[] = [];
  const events: PublisherEvent[] = [];
  const server = createServer((request, response) => {
    // nginx-rtmp POSTs a form: app=live&...&call=publish&name=<stream key>&type=live
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      const app = byPath.get(request.url?.split("?")[0] ?? "");
      const form = new URLSearchParams(body);
      const name = form.get("name") ?? "";
      let status = 404;
      if (app?.allowKeys !== undefined) status = app.allowKeys.includes(name) ? 200 : 403;
      else if (app) status = app.onPublishStatus ?? 200;
      const call = form.get("call");
      const allowed = status >= 200 && status < 300;
      if (app && call === "publish") attempts.push({ app: app.name, name, allowed });
      if (app?.watchPublishers && allowed && (call === "publish" || call === "publish_done"))
        events.push({ app: app.name, name, call });
      response.statusCode = status;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0, attempts, events };
}

function maxConcurrent(events: readonly PublisherEvent[], name: string): number {
  let active = 0;
  let most = 0;
  for (const event of events.filter((e) => e.name === name)) {
    active += event.call === "publish" ? 1 : -1;
    most = Math.max(most, active);
  }
  return most;
}

async function waitForPort(port: number, exited: Promise<void>): Promise<void> {
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (done) throw new Error("nginx exited");
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`port ${port} did not accept within ${START_TIMEOUT_MS} ms`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
