// deploy/compose.yaml started as processes on this machine (no container engine here): the same
// services, environment, configs and start order, with each container port mapped to a free
// loopback port. scripts/compose-local.mjs and test/integration/deploy-compose.test.ts use it.
//
// Each service gets a root directory standing for its container's file system: its bind mounts
// and secrets are copied there (text files with "service:port" references rewritten to the mapped
// loopback ports), its named volumes are empty directories there, and every container path in its
// environment and command becomes the path under that root. In the environment and command,
// "service:port" and "0.0.0.0:port" become "127.0.0.1:<mapped port>", and a value that is exactly one
// of the service's own container ports (or UDP ranges) becomes the mapped one. Nodes bind 127.0.0.1.
// Images run as what they package: nats -> nats-server, prom/prometheus -> prometheus, this
// repository's Dockerfile -> dist/bin/streamwell.js. Grafana is not installed here: left out.

import { execFile } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { type ComposeFile, type ComposeService, readCompose } from "./compose-file.js";
import { freePort } from "./net.js";
import { descendants, identify, killLeftovers } from "./proc-stats.js";
import { type Proc, startProcess } from "./processes.js";

const ROOT = new URL(import.meta.url.includes("/dist/") ? "../../../" : "../../", import.meta.url).pathname;
const NODE_ENTRY = join(ROOT, "dist/bin/streamwell.js");
const READY_TIMEOUT_MS = 60_000;
/** UDP ranges cannot be probed for being free: a random base, as the tests' meshes do. */
const UDP_BASE = () => randomInt(20_000, 55_000);

type Kind = "nats" | "prometheus" | "streamwell" | "left-out";

export interface LocalService {
  readonly name: string;
  readonly kind: Kind;
  /** Container port ("4222", "9000-9099/udp") -> mapped loopback port or range. */
  readonly ports: ReadonlyMap<string, string>;
  readonly env: Readonly<Record<string, string>>;
  readonly proc?: Proc;
}

export interface ComposeLocal {
  /** The values .env would hold (generated: secrets, passwords; STREAMWELL_PUBLIC_HOST=127.0.0.1). */
  readonly vars: Readonly<Record<string, string>>;
  readonly services: ReadonlyMap<string, LocalService>;
  /** http://127.0.0.1:PORT of a service's container port. */
  url(service: string, containerPort: string): string;
  stop(): Promise<void>;
}

export interface ComposeLocalOptions {
  readonly composeFile?: string;
  /** Lines of every process, prefixed with its service name (default: kept in each Proc's tail). */
  readonly onLine?: (service: string, line: string) => void;
}

/** What the docs' steps make before `docker compose up`: .env values, TLS files, the secret key. */
function generatedVars(): Record<string, string> {
  const hex = (bytes: number) => randomBytes(bytes).toString("hex");
  return {
    STREAMWELL_PUBLIC_HOST: "127.0.0.1",
    STREAMWELL_MESH_SECRET: hex(32),
    STREAMWELL_ADMIN_PASSWORD: hex(12),
    NODE_1_NATS_PASSWORD: `nats-${hex(24)}`,
    NODE_2_NATS_PASSWORD: `nats-${hex(24)}`,
    NODE_3_NATS_PASSWORD: `nats-${hex(24)}`,
    GRAFANA_ADMIN_PASSWORD: hex(12),
  };
}

function kindOf(service: ComposeService): Kind {
  if (service.build !== undefined) return "streamwell";
  if (service.image?.startsWith("nats:")) return "nats";
  if (service.image?.startsWith("prom/prometheus:")) return "prometheus";
  return "left-out";
}

/** Container ports of a service: the container side of `ports`, and `expose`. */
function containerPorts(service: ComposeService): string[] {
  const published = (service.ports ?? []).map((spec) => {
    const [mapping, protocol] = spec.split("/");
    const container = (mapping as string).split(":").at(-1) as string;
    return protocol ? `${container}/${protocol}` : container;
  });
  return [...published, ...(service.expose ?? [])];
}

async function mapPorts(service: ComposeService): Promise<Map<string, string>> {
  const mapped = new Map<string, string>();
  for (const port of containerPorts(service)) {
    const [number] = port.split("/") as [string];
    if (!number.includes("-")) {
      mapped.set(port, String(await freePort()));
      continue;
    }
    const [from, to] = number.split("-").map(Number) as [number, number];
    const base = UDP_BASE();
    mapped.set(port, `${base}-${base + to - from}`);
  }
  return mapped;
}

class Rewriter {
  constructor(
    private readonly self: string,
    private readonly portsOf: ReadonlyMap<string, ReadonlyMap<string, string>>,
    private readonly paths: readonly (readonly [string, string])[],
  ) {}

  /** "service:port" and "0.0.0.0:port" (this service's) -> "127.0.0.1:<mapped>". */
  hosts(text: string): string {
    return text.replace(
      /\b([A-Za-z0-9][A-Za-z0-9_.-]*|0\.0\.0\.0):(\d+)\b/g,
      (match, host: string, port: string) => {
        const service = host === "0.0.0.0" || host === "127.0.0.1" ? this.self : host;
        const mapped = this.portsOf.get(service)?.get(port);
        return mapped ? `127.0.0.1:${mapped}` : match;
      },
    );
  }

  /** A whole value: the service's own port or range -> mapped; container paths -> under its root. */
  value(text: string): string {
    const own = this.portsOf.get(this.self);
    const port = own?.get(text) ?? own?.get(`${text}/udp`);
    if (port) return port;
    for (const [target, host] of this.paths) {
      if (text === target || text.startsWith(`${target}/`)) return host + text.slice(target.length);
      if (text.startsWith("--") && text.includes(`=${target}`)) return text.replace(`=${target}`, `=${host}`);
    }
    return this.hosts(text);
  }
}

/** Copies a mount source into the service root, rewriting service:port references in text files. */
function copyRewritten(source: string, target: string, rewriter: Rewriter): void {
  mkdirSync(dirname(target), { recursive: true });
  if (statSync(source).isDirectory()) {
    mkdirSync(target, { recursive: true });
    for (const name of readdirSync(source)) copyRewritten(join(source, name), join(target, name), rewriter);
    return;
  }
  const bytes = readFileSync(source);
  const text = bytes.toString("utf8");
  if (bytes.length < 1_000_000 && !text.includes("\u0000")) writeFileSync(target, rewriter.hosts(text));
  else cpSync(source, target);
}

export async function startComposeLocal(options: ComposeLocalOptions = {}): Promise<ComposeLocal> {
  const composeFile = options.composeFile ?? join(ROOT, "deploy/compose.yaml");
  const work = mkdtempSync(join(tmpdir(), "streamwell-compose-local-"));
  const started: LocalService[] = [];
  const stop = async () => {
    for (const service of [...started].reverse()) {
      if (!service.proc) continue;
      const children = identify(descendants(service.proc.pid));
      await service.proc.stop();
      killLeftovers(children);
    }
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const project = join(work, "project");
    cpSync(dirname(composeFile), project, { recursive: true });
    await promisify(execFile)(join(project, "make-certs.sh"), [join(project, "tls")], { timeout: 30_000 });
    mkdirSync(join(project, "secrets"));
    writeFileSync(join(project, "secrets/secret_key"), `${randomBytes(32).toString("base64")}\n`, {
      mode: 0o600,
    });
    const vars = generatedVars();
    const compose = readCompose(join(project, "compose.yaml"), vars);
    const portsOf = new Map<string, Map<string, string>>();
    for (const [name, service] of Object.entries(compose.services))
      portsOf.set(name, await mapPorts(service));
    const services = new Map<string, LocalService>();
    const ready = new Map<string, Promise<void>>();
    // As compose does: a service starts once what it depends on is healthy; the rest in parallel.
    for (const name of startOrder(compose)) {
      await Promise.all(dependenciesOf(compose, name).map((dep) => ready.get(dep)));
      const service = await startService(name, compose, project, join(work, "roots", name), portsOf, options);
      services.set(name, service);
      started.push(service);
      ready.set(name, waitReady(service, compose.services[name] as ComposeService));
    }
    await Promise.all(ready.values());
    const url = (service: string, port: string) => `http://127.0.0.1:${portsOf.get(service)?.get(port)}`;
    return { vars, services, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** depends_on first; within a level, the file's order. */
function startOrder(compose: ComposeFile): string[] {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    for (const dep of dependenciesOf(compose, name)) visit(dep);
    order.push(name);
  };
  for (const name of Object.keys(compose.services)) visit(name);
  return order;
}

function dependenciesOf(compose: ComposeFile, name: string): string[] {
  const deps = compose.services[name]?.depends_on;
  return Array.isArray(deps) ? (deps as string[]) : Object.keys(deps ?? {});
}

async function startService(
  name: string,
  compose: ComposeFile,
  project: string,
  root: string,
  portsOf: ReadonlyMap<string, ReadonlyMap<string, string>>,
  options: ComposeLocalOptions,
): Promise<LocalService> {
  const service = compose.services[name] as ComposeService;
  const kind = kindOf(service);
  const ports = portsOf.get(name) as ReadonlyMap<string, string>;
  if (kind === "left-out") return { name, kind, ports, env: {} };
  const mounts: [string, string][] = [];
  const rewriterFor = () =>
    new Rewriter(
      name,
      portsOf,
      [...mounts].sort((a, b) => b[0].length - a[0].length),
    );
  for (const volume of service.volumes ?? []) {
    const [source, target] = volume.split(":") as [string, string];
    const host = join(root, target);
    if (source.startsWith(".")) copyRewritten(resolve(project, source), host, rewriterFor());
    else mkdirSync(host, { recursive: true, mode: 0o700 });
    mounts.push([target, host]);
  }
  for (const secret of service.secrets ?? []) {
    const host = join(root, "run/secrets", secret);
    copyRewritten(resolve(project, compose.secrets?.[secret]?.file as string), host, rewriterFor());
    mounts.push([`/run/secrets/${secret}`, host]);
  }
  const rewriter = rewriterFor();
  const env = Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, rewriter.value(v)]),
  );
  const args = (service.command ?? []).map((arg) => rewriter.value(arg));
  const onStdoutLine = options.onLine && ((line: string) => options.onLine?.(name, line));
  const base = { PATH: process.env.PATH ?? "" };
  const proc =
    kind === "nats"
      ? startProcess(name, "nats-server", args, { env: { ...base, ...env }, graceMs: 5_000, onStdoutLine })
      : kind === "prometheus"
        ? startProcess(name, "prometheus", args, { env: base, cwd: root, onStdoutLine })
        : startProcess(name, process.execPath, [NODE_ENTRY], {
            env: { ...base, NODE_ENV: "production", ...env, STREAMWELL_BIND_HOST: "127.0.0.1" },
            cwd: ROOT,
            graceMs: 15_000,
            onStdoutLine,
          });
  return { name, kind, ports, env, proc };
}

/**
 * The service's own health check: compose's `healthcheck` when it names an http URL (the NATS
 * servers), the Dockerfile's HEALTHCHECK (GET /readyz) for a node, Prometheus's /-/ready.
 */
async function waitReady(service: LocalService, spec: ComposeService): Promise<void> {
  const probe = readyUrl(service, spec);
  if (!probe || !service.proc) return;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!service.proc.running()) throw new Error(`${service.name} exited:\n${service.proc.tail.join("\n")}`);
    const ok = await fetch(probe, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(
    `${service.name} not ready at ${probe} after ${READY_TIMEOUT_MS} ms:\n${service.proc.tail.join("\n")}`,
  );
}

function readyUrl(service: LocalService, spec: ComposeService): string | undefined {
  const declared = spec.healthcheck?.test?.find((word) => word.startsWith("http://"));
  if (declared)
    return new Rewriter(service.name, new Map([[service.name, service.ports]]), []).hosts(declared);
  if (service.kind === "streamwell") return `http://127.0.0.1:${service.env.STREAMWELL_HTTP_PORT}/readyz`;
  if (service.kind === "prometheus") return `http://127.0.0.1:${service.ports.get("9090")}/-/ready`;
  return undefined;
}
