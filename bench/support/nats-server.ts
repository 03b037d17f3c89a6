// Real nats-server processes with JetStream on loopback, for tests, benchmarks and `npm run mesh`:
// one server, or a cluster of several joined by routes. Each keeps its port and its JetStream store
// directory (in a temp dir) across restart(), so a test can take NATS away and bring it back with
// the data. Stopped by PID, never by name.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { freePort } from "./net.js";
import { type Proc, startProcess } from "./processes.js";

const READY_TIMEOUT_MS = 20_000;

export interface NatsAuth {
  readonly token?: string;
  readonly user?: string;
  readonly password?: string;
  /** Several users, each with its own permissions (nats-server config text); the first one is used to probe. */
  readonly users?: readonly NatsUser[];
}

export interface NatsUser {
  readonly user: string;
  readonly password: string;
  /** A nats-server `permissions` block, e.g. from nodePermissions(); none: everything allowed. */
  readonly permissions?: string;
}

/** TLS for clients and routes: PEM files. */
export interface NatsTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Clients must present a certificate the CA signed. */
  readonly verify?: boolean;
  /** The certificate the readiness probe presents when `verify` is on. */
  readonly client?: { readonly certFile: string; readonly keyFile: string };
}

export interface NatsServer {
  readonly name: string;
  readonly port: number;
  /** nats://127.0.0.1:PORT, without credentials. */
  readonly url: string;
  pid(): number;
  /** Stops the server (SIGTERM: JetStream flushes) and starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Stops it; with SIGKILL, as a crash. Its store stays until the cluster's remove(). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  start(): Promise<void>;
}

export interface NatsCluster {
  readonly servers: readonly NatsServer[];
  /** Every server's URL, comma-separated (STREAMWELL_NATS_URL form), without credentials. */
  readonly url: string;
  /** Stops every server and removes the temp dir. */
  remove(): Promise<void>;
}

interface Member {
  readonly name: string;
  readonly port: number;
  readonly clusterPort: number;
}

export interface NatsClusterOptions {
  /** Servers (default 1: no cluster block). */
  readonly size?: number;
  readonly auth?: NatsAuth;
  /** Client ports, one per server; default: free ones. */
  readonly ports?: readonly number[];
  readonly tls?: NatsTls;
}

/** Starts the servers and resolves once JetStream answers on each. */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 1;
  const dir = mkdtempSync(join(tmpdir(), "streamwell-nats-"));
  const members: Member[] = [];
  for (let i = 1; i <= size; i += 1) {
    const port = options.ports?.[i - 1] ?? (await freePort());
    members.push({ name: `n${i}`, port, clusterPort: await freePort() });
  }
  const servers = members.map((member) => natsServer(dir, member, members, options));
  const remove = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(servers.map((server) => server.start()));
    return { servers, url: servers.map((server) => server.url).join(","), remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

function natsServer(
  dir: string,
  self: Member,
  members: readonly Member[],
  options: NatsClusterOptions,
): NatsServer {
  const configFile = join(dir, `${self.name}.conf`);
  writeFileSync(configFile, serverConfig(dir, self, members, options));
  const url = `nats://127.0.0.1:${self.port}`;
  let proc: Proc | undefined;
  const server: NatsServer = {
    name: self.name,
    port: self.port,
    url,
    pid: () => proc?.pid ?? 0,
    async start() {
      proc = startProcess(`nats-server ${self.name}`, "nats-server", ["-c", configFile], { graceMs: 5_000 });
      await waitForJetStream(url, options, proc);
    },
    async stop(signal = "SIGTERM") {
      if (!proc) return;
      if (signal === "SIGKILL") {
        process.kill(proc.pid, "SIGKILL");
        await proc.exited;
      } else {
        await proc.stop();
      }
      proc = undefined;
    },
    async restart() {
      await server.stop();
      await server.start();
    },
  };
  return server;
}

function serverConfig(
  dir: string,
  self: Member,
  members: readonly Member[],
  { auth = {}, tls }: NatsClusterOptions,
): string {
  const lines = [
    `server_name: ${self.name}`,
    `listen: "127.0.0.1:${self.port}"`,
    `jetstream { store_dir: ${JSON.stringify(join(dir, self.name))} }`,
  ];
  const tlsBlock = tls && tlsConfig(tls);
  if (tlsBlock) lines.push(tlsBlock);
  if (auth.token) lines.push(`authorization { token: ${JSON.stringify(auth.token)} }`);
  if (auth.user) {
    lines.push(
      `authorization { user: ${JSON.stringify(auth.user)}, password: ${JSON.stringify(auth.password)} }`,
    );
  }
  if (auth.users) {
    const users = auth.users.map(
      ({ user, password, permissions }) =>
        `  { user: ${JSON.stringify(user)}, password: ${JSON.stringify(password)}${permissions ? `, permissions: ${permissions}` : ""} }`,
    );
    lines.push(`authorization {\n users: [\n${users.join("\n")}\n ]\n}`);
  }
  if (members.length > 1) {
    const routes = members
      .filter((member) => member !== self)
      .map((member) => `"nats-route://127.0.0.1:${member.clusterPort}"`);
    const routeTls = tlsBlock ? `, ${tlsConfig({ ...(tls as NatsTls), verify: true })}` : "";
    lines.push(
      `cluster { name: streamwell, listen: "127.0.0.1:${self.clusterPort}", routes: [${routes.join(", ")}]${routeTls} }`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function tlsConfig({ caFile, certFile, keyFile, verify }: NatsTls): string {
  const files = `cert_file: ${JSON.stringify(certFile)}, key_file: ${JSON.stringify(keyFile)}, ca_file: ${JSON.stringify(caFile)}`;
  return `tls { ${files}, verify: ${verify === true} }`;
}

/** A cluster has JetStream only once its meta leader is elected: poll until the account info answers. */
async function waitForJetStream(
  url: string,
  { auth = {}, tls }: NatsClusterOptions,
  proc: Proc,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const first = auth.users?.[0];
  const login = first ? { user: first.user, pass: first.password } : { user: auth.user, pass: auth.password };
  const trust = tls && { tls: { caFile: tls.caFile, ...tls.client } };
  let last: unknown;
  while (Date.now() < deadline) {
    if (!proc.running()) throw new Error(`nats-server exited:\n${proc.tail.join("\n")}`);
    try {
      const nc = await connect({ servers: url, token: auth.token, ...login, ...trust });
      try {
        await (await nc.jetstreamManager({ timeout: 1_000 })).getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nats-server at ${url} has no JetStream after ${READY_TIMEOUT_MS} ms: ${String(last)}`);
}
