// The fault suite's world: three hosts (h1, h2, h3), each with its own nats-server of one JetStream
// cluster and a Streamwell node (mesh secret set, the KV bucket on 3 replicas); a publisher host
// (ffmpeg), a destination host (nginx-rtmp with its hook) and a control host through which the test
// calls the nodes' APIs. h3's public host is a relay host's address: its chain links' callers reach
// it through whatever the relay host runs (./lossy-link.ts), nothing unless a test starts it.
// dispose() stops everything by PID and deletes the namespaces, also after a failed start or test.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { type Proc, startProcess } from "../../../bench/support/processes.js";
import { ApiClient } from "../api-client.js";
import { testClip } from "../media.js";
import { ADMIN_PASSWORD, type NodeProcess, removeDataDir, startNode, tempDataDir } from "../node-process.js";
import { LabDestination } from "./destination.js";
import { ip, Lab, type LabHost } from "./lab.js";
import { LabNatsCluster, NATS_PORT } from "./nats.js";
import { Tunnel } from "./tunnel.js";

export const NODE_IDS = ["h1", "h2", "h3"] as const;
export type NodeId = (typeof NODE_IDS)[number];
const HTTP_PORT = 8080;
const RTMP_PORT = 1935;
/** The nodes' SRT port range (chain links, SRT ingest). */
export const SRT_PORTS = { from: 9000, to: 9009 } as const;
/** The node whose chain links come through the relay host. */
export const RELAYED_NODE: NodeId = "h3";

export interface LabNode {
  readonly id: NodeId;
  readonly host: LabHost;
  /** The node's process (its PID is the node's: `ip netns exec` execs it). */
  process: NodeProcess;
  /** The admin's API client, through the tunnel. */
  admin: ApiClient;
}

export class LabMesh {
  readonly lab = new Lab();
  readonly nodes = new Map<NodeId, LabNode>();
  readonly destination: LabDestination;
  nats!: LabNatsCluster;
  private tunnel!: Tunnel;
  private publisher: Proc | undefined;
  private readonly namespace = `lab-${randomUUID().slice(0, 8)}`;
  /** The JetStream stream of the nodes' KV bucket. */
  readonly kvStream = `KV_${this.namespace}-state`;
  private readonly hosts: LabHost[];
  /** Where RELAYED_NODE's chain links' callers send their datagrams (its public host). */
  readonly relayHost: LabHost;

  private constructor() {
    this.hosts = NODE_IDS.map((id, i) => this.lab.addHost(id, i + 1));
    this.lab.addHost("pub", 10);
    this.destination = new LabDestination(this.lab, this.lab.addHost("dest", 20));
    this.lab.addHost("ctl", 250);
    this.relayHost = this.lab.addHost("relay", 30);
  }

  static async start(env: Record<string, string> = {}): Promise<LabMesh> {
    const mesh = new LabMesh();
    try {
      mesh.tunnel = await Tunnel.open(mesh.lab, "ctl");
      mesh.nats = new LabNatsCluster(mesh.lab, mesh.hosts);
      await mesh.nats.start(mesh.tunnel);
      await mesh.destination.start();
      for (const host of mesh.hosts) await mesh.startNode(host, env);
      const token = (await mesh.node("h1").admin.login("admin", ADMIN_PASSWORD)).token;
      for (const node of mesh.nodes.values()) node.admin = node.admin.withToken(token);
      return mesh;
    } catch (error) {
      await mesh.dispose();
      throw error;
    }
  }

  node(id: NodeId): LabNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  /** A loopback port of this process that reaches host:port in the lab. */
  expose(host: string, port: number): Promise<number> {
    return this.tunnel.expose(host, port);
  }

  /**
   * (Re)publishes the test clip in real time to a node's RTMP ingest, from the publisher host. With
   * `reconnect`, a publisher that exits (the node refused the key while its store was away, or dropped
   * the session) starts again 1 s later, as an encoder's reconnect does, until the next publishTo or
   * stopPublisher; `onReconnect` hears each restart with the exited publisher's last stderr line (its stream key
   * replaced by `<key>`).
   */
  async publishTo(
    id: NodeId,
    streamKey: string,
    options: { reconnect?: boolean; onReconnect?: (lastLine: string) => void } = {},
  ): Promise<void> {
    await this.stopPublisher();
    const [command, ...prefix] = this.lab.exec("pub");
    const url = `rtmp://${this.node(id).host.ip}:${RTMP_PORT}/live/${streamKey}`;
    const args = ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1"];
    const clip = await testClip();
    const start = (): void => {
      const publisher = startProcess("publisher", command as string, [
        ...prefix,
        "ffmpeg",
        ...args,
        ...["-i", clip, "-c", "copy", "-f", "flv", url],
      ]);
      this.publisher = publisher;
      if (!options.reconnect) return;
      void publisher.exited.then(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        if (this.publisher !== publisher) return;
        // ffmpeg's error line names the URL, and with it the stream key
        options.onReconnect?.((publisher.tail.at(-1) ?? "").replaceAll(streamKey, "<key>"));
        start();
      });
    };
    start();
  }

  /** SIGKILL: a publisher whose host is cut off cannot say goodbye either. */
  async stopPublisher(): Promise<void> {
    const publisher = this.publisher;
    this.publisher = undefined;
    if (!publisher?.running()) return;
    process.kill(publisher.pid, "SIGKILL");
    await publisher.exited;
  }

  /** The node's relay processes (its ffmpeg children). */
  relayPids(id: NodeId): number[] {
    const node = this.node(id);
    return this.lab.pids(id).filter((pid) => parentOf(pid) === node.process.pid);
  }

  /**
   * Processes in the nodes' namespaces that should not be there: anything but the nats-server, the
   * node and the node's own children, and more relay children (ffmpeg) than `relays`.
   */
  leakedProcesses(relays: number): string[] {
    const leaks: string[] = [];
    let children = 0;
    for (const node of this.nodes.values()) {
      const own = new Set([node.process.pid, this.nats.servers.find((s) => s.host === node.host)?.pid()]);
      for (const pid of this.lab.pids(node.id)) {
        if (own.has(pid)) continue;
        if (parentOf(pid) === node.process.pid) children += 1;
        else leaks.push(`${node.id}: pid ${pid} (${commandOf(pid)})`);
      }
    }
    if (children !== relays) leaks.push(`${children} relay processes, expected ${relays}`);
    return leaks;
  }

  /**
   * What the nodes hold open, to compare before and after faults: each node's file descriptors by
   * kind (socket, pipe, other) and the sockets listening in each node's namespace (TCP and UDP).
   */
  resources(): Record<NodeId, NodeResources> {
    const all = {} as Record<NodeId, NodeResources>;
    for (const node of this.nodes.values()) {
      const fds = { socket: 0, pipe: 0, other: 0 };
      for (const fd of readdirSync(`/proc/${node.process.pid}/fd`)) {
        const target = linkOf(`/proc/${node.process.pid}/fd/${fd}`);
        fds[target.startsWith("socket:") ? "socket" : target.startsWith("pipe:") ? "pipe" : "other"] += 1;
      }
      const listening = ip(["netns", "exec", node.host.ns, "ss", "-Hlntu"])
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => {
          const [proto, , , , local] = line.trim().split(/\s+/);
          return `${proto} ${local}`;
        })
        .sort();
      all[node.id] = { fds, listening };
    }
    return all;
  }

  async dispose(): Promise<void> {
    await this.stopPublisher().catch(() => {});
    for (const node of this.nodes.values()) {
      await node.process.stop("SIGKILL").catch(() => {});
      removeDataDir(node.process.dataDir);
    }
    await this.destination.stop().catch(() => {});
    await this.nats?.stop().catch(() => {});
    await this.tunnel?.close().catch(() => {});
    this.lab.dispose();
  }

  private async startNode(host: LabHost, env: Record<string, string>): Promise<void> {
    const process = await startNode({
      dataDir: tempDataDir(),
      natsUrl: `nats://${host.ip}:${NATS_PORT}`,
      nodeId: host.name,
      wrapper: this.lab.exec(host.name),
      env: {
        STREAMWELL_NAMESPACE: this.namespace,
        STREAMWELL_BIND_HOST: host.ip,
        STREAMWELL_PUBLIC_HOST: host.name === RELAYED_NODE ? this.relayHost.ip : host.ip,
        STREAMWELL_HTTP_PORT: String(HTTP_PORT),
        STREAMWELL_RTMP_PORT: String(RTMP_PORT),
        STREAMWELL_SRT_PORTS: `${SRT_PORTS.from}-${SRT_PORTS.to}`,
        STREAMWELL_NATS_REPLICAS: "3",
        ...env,
      },
    });
    const port = await this.tunnel.expose(host.ip, HTTP_PORT);
    const id = host.name as NodeId;
    this.nodes.set(id, { id, host, process, admin: new ApiClient(`http://127.0.0.1:${port}`) });
  }
}

export interface NodeResources {
  readonly fds: { socket: number; pipe: number; other: number };
  /** "tcp 10.200.0.1:8080", "udp ...": what listens in the node's namespace. */
  readonly listening: string[];
}

function linkOf(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "gone"; // closed between the listing and the read
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, 3).join(" ");
  } catch {
    return "gone";
  }
}
