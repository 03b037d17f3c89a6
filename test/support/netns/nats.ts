// One nats-server per lab host, all in one cluster with JetStream: each listens on its host's
// address (4222 for clients, 6222 for routes: fixed ports are safe inside a namespace of our own).
// Ready once JetStream answers through every server (a metadata leader is elected), asked from this
// process through the lab's tunnel. Each keeps its store across a
// kill and restart.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { type Proc, startProcess } from "../../../bench/support/processes.js";
import { waitFor } from "../wait.js";
import type { Lab, LabHost } from "./lab.js";
import type { Tunnel } from "./tunnel.js";

export const NATS_PORT = 4222;
const ROUTE_PORT = 6222;
const MONITOR_PORT = 8222;

export interface LabNats {
  readonly host: LabHost;
  pid(): number;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export class LabNatsCluster {
  readonly servers: LabNats[];
  /** Each server's client port as this process reaches it (through the tunnel), by host name. */
  private readonly ports = new Map<string, number>();
  private readonly monitorPorts = new Map<string, number>();
  private readonly dir = mkdtempSync(join(tmpdir(), "streamwell-netns-nats-"));

  constructor(lab: Lab, hosts: readonly LabHost[]) {
    this.servers = hosts.map((host) => this.server(lab, host, hosts));
  }

  async start(tunnel: Tunnel): Promise<void> {
    await Promise.all(this.servers.map((server) => server.start()));
    for (const server of this.servers) {
      const port = await tunnel.expose(server.host.ip, NATS_PORT);
      this.ports.set(server.host.name, port);
      this.monitorPorts.set(server.host.name, await tunnel.expose(server.host.ip, MONITOR_PORT));
      await waitFor(`JetStream through ${server.host.name}`, () => jetStreamAnswers(port), 30_000, 250);
    }
  }

  /** The server that leads JetStream's metadata (where streams and consumers are placed), from `via`'s /jsz. */
  async metaLeader(via: string): Promise<string | undefined> {
    const port = this.monitorPorts.get(via);
    const jsz = (await (await fetch(`http://127.0.0.1:${port}/jsz`)).json()) as {
      meta_cluster?: { leader?: string };
    };
    return jsz.meta_cluster?.leader;
  }

  /** The server that leads a stream's replicas now, asked through `via` (e.g. the KV bucket's). */
  async streamLeader(stream: string, via: string): Promise<string | undefined> {
    const nc = await connect({
      servers: `127.0.0.1:${this.ports.get(via)}`,
      reconnect: false,
      timeout: 1_000,
      ignoreClusterUpdates: true,
    });
    try {
      return (await (await nc.jetstreamManager({ timeout: 1_000 })).streams.info(stream)).cluster?.leader;
    } finally {
      await nc.close();
    }
  }

  /**
   * The servers' log lines about JetStream leaders (elections, new stream and metadata leaders) and
   * routes, from `since` on, as [time, "nats hX: text"]: when the store could write again.
   */
  leaderLog(since: number): [number, string][] {
    const lines: [number, string][] = [];
    for (const { host } of this.servers) {
      const file = join(this.dir, `${host.name}.log`);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, "utf8").split("\n")) {
        const match = /^\[\d+\] (\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d\.\d{3})\d* \[\w+\] (.*)$/.exec(line);
        if (!match || !/leader|[Rr]oute connection created|Stale/.test(match[5] ?? "")) continue;
        const at = Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}Z`);
        if (at >= since) lines.push([at, `nats ${host.name}: ${match[5]}`]);
      }
    }
    return lines;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.kill()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private server(lab: Lab, host: LabHost, all: readonly LabHost[]): LabNats {
    const config = join(this.dir, `${host.name}.conf`);
    writeFileSync(config, serverConfig(this.dir, host, all));
    let proc: Proc | undefined;
    return {
      host,
      pid: () => proc?.pid ?? 0,
      async start() {
        const [command, ...prefix] = lab.exec(host.name);
        proc = startProcess(`nats ${host.name}`, command as string, [...prefix, "nats-server", "-c", config]);
      },
      async kill() {
        if (!proc) return;
        process.kill(proc.pid, "SIGKILL");
        await proc.exited;
        proc = undefined;
      },
    };
  }
}

function serverConfig(dir: string, self: LabHost, all: readonly LabHost[]): string {
  const routes = all.filter((host) => host !== self).map((host) => `"nats-route://${host.ip}:${ROUTE_PORT}"`);
  return [
    `server_name: ${self.name}`,
    `listen: "${self.ip}:${NATS_PORT}"`,
    `log_file: ${JSON.stringify(join(dir, `${self.name}.log`))}`,
    `http: "${self.ip}:${MONITOR_PORT}"`,
    `jetstream { store_dir: ${JSON.stringify(join(dir, self.name))} }`,
    `cluster { name: lab, listen: "${self.ip}:${ROUTE_PORT}", routes: [${routes.join(", ")}] }`,
  ].join("\n");
}

/** One connection, one JetStream account-info request (needs a metadata leader), closed. */
async function jetStreamAnswers(port: number): Promise<boolean> {
  const nc = await connect({
    servers: `127.0.0.1:${port}`,
    reconnect: false,
    timeout: 1_000,
    ignoreClusterUpdates: true,
  });
  try {
    await (await nc.jetstreamManager({ timeout: 1_000 })).getAccountInfo();
    return true;
  } finally {
    await nc.close();
  }
}
