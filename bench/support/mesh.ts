// A local mesh on loopback: a nats-server cluster with JetStream and one Streamwell node per server,
// each connected to its own server, all sharing one admin password. `npm run mesh` and the mesh
// benchmarks start it; everything is stopped by PID.
import { randomBytes } from "node:crypto";
import { type NatsCluster, startNatsCluster } from "./nats-server.js";
import { type StreamwellNode, type StreamwellOptions, startStreamwell } from "./streamwell.js";

export interface MeshNodeOptions {
  /** STREAMWELL_* settings of this node (ports, SRT range, max restreams, ...). */
  readonly env?: Readonly<Record<string, string>>;
  readonly onLine?: (line: string) => void;
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
  /** The secret key that seals secrets at rest: the same on every node (they share one store). */
  readonly secretKey: string;
  /** Password of user "admin", the same on every node (they share one store). */
  readonly adminPassword: string;
  /** STREAMWELL_MESH_SECRET of every node. */
  readonly meshSecret: string;
  stop(): Promise<void>;
}

/** Node `index` (0-based: node-1 is 0) of a mesh, on its own NATS server: to start it again after a kill. */
export function meshNodeOptions(
  mesh: Pick<Mesh, "nats" | "adminPassword" | "secretKey" | "meshSecret">,
  index: number,
  spec: MeshNodeOptions = {},
): StreamwellOptions {
  const server = mesh.nats.servers[index] as NatsCluster["servers"][number];
  return {
    nodeId: `node-${index + 1}`,
    adminPassword: mesh.adminPassword,
    env: {
      STREAMWELL_NATS_URL: server.url,
      STREAMWELL_SECRET_KEY: mesh.secretKey,
      STREAMWELL_NATS_REPLICAS: String(mesh.nats.servers.length),
      STREAMWELL_MESH_SECRET: mesh.meshSecret,
      ...spec.env,
    },
    onLine: spec.onLine,
  };
}

export async function startMesh(options: MeshOptions = {}): Promise<Mesh> {
  const specs = options.nodes ?? [{}, {}, {}];
  const adminPassword = randomBytes(12).toString("base64url");
  const secretKey = randomBytes(32).toString("base64");
  const meshSecret = randomBytes(32).toString("base64url");
  const nats = await startNatsCluster({ size: specs.length, ports: options.natsPorts });
  const nodes: StreamwellNode[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
    await nats.remove();
  };
  try {
    // One after another: the first creates the KV bucket (replicated on every server), the others find it.
    for (const [i, spec] of specs.entries()) {
      nodes.push(
        await startStreamwell(meshNodeOptions({ nats, adminPassword, secretKey, meshSecret }, i, spec)),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nats, nodes, secretKey, adminPassword, meshSecret, stop };
}
