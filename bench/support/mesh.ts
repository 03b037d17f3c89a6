// A local mesh on loopback: a nats-server cluster with JetStream and one Streamwell node per server,
// each connected to its own server, all sharing one admin password. `npm run mesh` and the mesh
// benchmarks start it; everything is stopped by PID.
import { randomBytes } from "node:crypto";
import { type NatsCluster, startNatsCluster } from "./nats-server.js";
import { type StreamwellNode, startStreamwell } from "./streamwell.js";

export interface MeshNodeOptions {
  /** STREAMWELL_* settings of this node (ports, SRT range, max restreams, ...). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface MeshOptions {
  /** One entry per node (default: three with free ports). */
  readonly nodes?: readonly MeshNodeOptions[];
  /** nats-server client ports, one per node; default: free ones. */
  readonly natsPorts?: readonly number[];
}

export interface Mesh {
  readonly nats: NatsCluster;
  readonly nodes: readonly StreamwellNode[];
  /** Password of user "admin", the same on every node (they share one store). */
  readonly adminPassword: string;
  stop(): Promise<void>;
}

export async function startMesh(options: MeshOptions = {}): Promise<Mesh> {
  const specs = options.nodes ?? [{}, {}, {}];
  const adminPassword = randomBytes(12).toString("base64url");
  const nats = await startNatsCluster({ size: specs.length, ports: options.natsPorts });
  const nodes: StreamwellNode[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
    await nats.remove();
  };
  try {
    // One after another: the first creates the KV bucket (replicated on every server), the others find it.
    for (const [i, spec] of specs.entries()) {
      const server = nats.servers[i] as NatsCluster["servers"][number];
      nodes.push(
        await startStreamwell({
          nodeId: `node-${i + 1}`,
          adminPassword,
          env: {
            STREAMWELL_NATS_URL: server.url,
            STREAMWELL_NATS_REPLICAS: String(specs.length),
            ...spec.env,
          },
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nats, nodes, adminPassword, stop };
}
