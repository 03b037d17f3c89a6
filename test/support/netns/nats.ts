// One nats-server per lab host, all in one cluster with JetStream: each listens on its host's
// address (4222 for clients, 6222 for routes: fixed ports are safe inside a namespace of our own).
// Ready once JetStream answers through every server (a metadata leader is elected), asked from this
// process through the lab's tunnel. Each keeps its store across a
// kill and restart.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { type Proc, startProcess } from "../../../bench/support/processes.js";
import { waitFor } from "../wait.js";
import type { Lab, LabHost } from "./lab.js";
import type { Tunnel } from "./tunnel.js";

export const NATS_PORT = 4222;
const ROUTE_PORT = 6222;

export interface LabNats {
  readonly host: LabHost;
  pid(): number;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export class LabNatsCluster {
  readonly servers: LabNats[];
  private readonly dir = mkdtempSync(join(tmpdir(), "streamwell-netns-nats-"));

  constructor(lab: Lab, hosts: readonly LabHost[]) {
    this.servers = hosts.map((host) => this.server(lab, host, hosts));
  }

  async start(tunnel: Tunnel): Promise<void> {
    await Promise.all(this.servers.map((server) => server.start()));
    for (const server of this.servers) {
      const port = await tunnel.expose(server.host.ip, NATS_PORT);
      await waitFor(`JetStream through ${server.host.name}`, () => jetStreamAnswers(port), 30_000, 250);
    }
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
