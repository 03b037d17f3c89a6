// A mesh of Streamwell node processes on one real nats-server, for tests: each node with its own
// id, ports and SRT port range (they share one host), all logged in as the same admin (sessions
// live in the shared store). A node can be restarted on its data dir with the same env (a rolling
// upgrade's step). Everything started here is stopped by stop().
import { randomInt, randomUUID } from "node:crypto";
import { type NatsCluster, startNatsCluster } from "../../bench/support/nats-server.js";
import { ApiClient } from "./api-client.js";
import { ADMIN_PASSWORD, type NodeProcess, removeDataDir, startNode, tempDataDir } from "./node-process.js";

export interface MeshNodeOptions {
  readonly id: string;
  readonly env?: Record<string, string>;
}

export interface TestMesh {
  readonly nats: NatsCluster;
  /** STREAMWELL_NAMESPACE of every node: the store is the JetStream KV bucket `<namespace>-state`. */
  readonly namespace: string;
  /** By node id. */
  node(id: string): NodeProcess;
  /** The admin's API client on a node. */
  admin(id: string): ApiClient;
  /** Stops a node with SIGTERM and starts it again on the same data dir, id and env (new HTTP/RTMP ports). */
  restart(id: string): Promise<NodeProcess>;
  stop(): Promise<void>;
}

const PORTS_PER_NODE = 10;

export async function startMesh(nodes: readonly MeshNodeOptions[]): Promise<TestMesh> {
  const nats = await startNatsCluster();
  const namespace = `mesh-${randomUUID().slice(0, 8)}`;
  const base = randomInt(20_000, 60_000);
  const started = new Map<string, NodeProcess>();
  const envs = new Map<string, Record<string, string>>();
  const stop = async () => {
    await Promise.all([...started.values()].map((node) => node.stop()));
    for (const node of started.values()) removeDataDir(node.dataDir);
    await nats.remove();
  };
  /** Starts a node; if it does not come up, its data dir goes (stop() removes only started nodes'). */
  const launch = async (id: string, dataDir: string) => {
    const node = await startNode({ dataDir, natsUrl: nats.url, nodeId: id, env: envs.get(id) }).catch(
      (error: unknown) => {
        removeDataDir(dataDir);
        throw error;
      },
    );
    started.set(id, node);
    return node;
  };
  try {
    for (const [i, options] of nodes.entries()) {
      const from = base + i * PORTS_PER_NODE;
      envs.set(options.id, {
        STREAMWELL_NAMESPACE: namespace,
        STREAMWELL_SRT_PORTS: `${from}-${from + PORTS_PER_NODE - 1}`,
        ...options.env,
      });
      await launch(options.id, tempDataDir());
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const first = [...started.values()][0] as NodeProcess;
  const { token } = await new ApiClient(first.baseUrl).login("admin", ADMIN_PASSWORD);
  const node = (id: string): NodeProcess => {
    const found = started.get(id);
    if (!found) throw new Error(`no node ${id} in this mesh`);
    return found;
  };
  const restart = async (id: string) => {
    const old = node(id);
    await old.stop("SIGTERM");
    started.delete(id);
    return launch(id, old.dataDir);
  };
  return { nats, namespace, node, admin: (id) => new ApiClient(node(id).baseUrl, token), restart, stop };
}
