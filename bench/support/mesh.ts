// A local mesh on loopback: a nats-server cluster with JetStream and one Streamwell node per server,
// each connected to its own server, all sharing one admin password and one mesh secret. `npm run
// mesh` and the mesh benchmarks start it; everything is stopped by PID. A secure mesh (`npm run
// mesh`) runs NATS with TLS (a throwaway CA made at start) and one NATS user per node, limited to
// the project's subjects as docs/security.md shows, and a `client` user for other services.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NatsCluster, type NatsUser, startNatsCluster } from "./nats-server.js";
import { type StreamwellNode, type StreamwellOptions, startStreamwell } from "./streamwell.js";
import { makeCertificateAuthority } from "./tls-certs.js";

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
  /** NATS with TLS and a user per node (default: plain, no users). */
  readonly secure?: boolean;
}

/** How a secure mesh's NATS is reached: the CA to trust and the users (node-1.., then client). */
export interface NatsAccess {
  readonly caFile: string;
  readonly users: readonly NatsUser[];
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
  /** Set on a secure mesh. */
  readonly access?: NatsAccess;
  stop(): Promise<void>;
}

const STREAMWELL_NAMESPACE = "streamwell";

/**
 * What a node's NATS user may do (nats-server `permissions`): Moleculer's subjects of its
 * namespace, and the JetStream API of its KV bucket only. docs/security.md shows the same block.
 */
export function nodePermissions(namespace: string): string {
  const stream = `KV_${namespace}-state`;
  const api = ["INFO", `STREAM.INFO.${stream}`, `STREAM.CREATE.${stream}`, `STREAM.MSG.GET.${stream}`];
  const consumers = ["CREATE", "DELETE", "INFO", "MSG.NEXT"].flatMap((op) => [
    `CONSUMER.${op}.${stream}`,
    `CONSUMER.${op}.${stream}.>`,
  ]);
  const publish = [
    `MOL-${namespace}.>`,
    ...[...api, ...consumers].map((subject) => `$JS.API.${subject}`),
    `$KV.${namespace}-state.>`,
    `$JS.FC.${stream}.>`,
    `$JS.ACK.${stream}.>`,
  ];
  const subscribe = [`MOL-${namespace}.>`, "_INBOX.>"];
  return `{ publish: ${JSON.stringify(publish)}, subscribe: ${JSON.stringify(subscribe)} }`;
}

/** Another service on the mesh's NATS: Moleculer's subjects only, no store. */
export function clientPermissions(namespace: string): string {
  const subjects = JSON.stringify([`MOL-${namespace}.>`, "_INBOX.>"]);
  return `{ publish: ${subjects}, subscribe: ${subjects} }`;
}

function natsUser(user: string, permissions: string): NatsUser {
  return { user, password: randomBytes(12).toString("base64url"), permissions };
}

/** The URL with a user's credentials, for STREAMWELL_NATS_URL or another client. */
export function natsUrlAs(url: string, user: NatsUser): string {
  return url.replace("nats://", `nats://${user.user}:${encodeURIComponent(user.password)}@`);
}

/** Node `index` (0-based: node-1 is 0) of a mesh, on its own NATS server: to start it again after a kill. */
export function meshNodeOptions(
  mesh: Pick<Mesh, "nats" | "adminPassword" | "secretKey" | "meshSecret" | "access">,
  index: number,
  spec: MeshNodeOptions = {},
): StreamwellOptions {
  const server = mesh.nats.servers[index] as NatsCluster["servers"][number];
  const user = mesh.access?.users[index];
  return {
    nodeId: `node-${index + 1}`,
    adminPassword: mesh.adminPassword,
    env: {
      STREAMWELL_NATS_URL: user ? natsUrlAs(server.url, user) : server.url,
      ...(mesh.access && { STREAMWELL_NATS_TLS_CA: mesh.access.caFile }),
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
  const certDir = options.secure ? mkdtempSync(join(tmpdir(), "streamwell-mesh-tls-")) : undefined;
  const removeCerts = () => certDir && rmSync(certDir, { recursive: true, force: true });
  let access: NatsAccess | undefined;
  let nats: NatsCluster;
  try {
    const secure = certDir === undefined ? undefined : await secureNats(certDir, specs.length);
    access = secure?.access;
    nats = await startNatsCluster({ size: specs.length, ports: options.natsPorts, ...secure?.server });
  } catch (error) {
    removeCerts();
    throw error;
  }
  const nodes: StreamwellNode[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()));
    await nats.remove();
    removeCerts();
  };
  try {
    // One after another: the first creates the KV bucket (replicated on every server), the others find it.
    const mesh = { nats, adminPassword, secretKey, meshSecret, access };
    for (const [i, spec] of specs.entries())
      nodes.push(await startStreamwell(meshNodeOptions(mesh, i, spec)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { nats, nodes, secretKey, adminPassword, meshSecret, access, stop };
}

/** A CA, the servers' certificate, and a NATS user per node plus one for other services. */
async function secureNats(dir: string, nodes: number) {
  const ca = await makeCertificateAuthority(dir);
  const { certFile, keyFile } = await ca.issue("nats-server");
  const users = [
    ...Array.from({ length: nodes }, (_, i) =>
      natsUser(`node-${i + 1}`, nodePermissions(STREAMWELL_NAMESPACE)),
    ),
    natsUser("client", clientPermissions(STREAMWELL_NAMESPACE)),
  ];
  return {
    access: { caFile: ca.caFile, users },
    server: { tls: { caFile: ca.caFile, certFile, keyFile }, auth: { users } },
  };
}
