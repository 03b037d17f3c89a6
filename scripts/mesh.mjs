#!/usr/bin/env node
// `npm run mesh`: a local 3-node Streamwell mesh on loopback: a 3-server nats-server cluster with
// JetStream (data in temp dirs) and TLS (a throwaway CA made with openssl at start, in a temp dir),
// one NATS user per node limited to the project's subjects, and three nodes sharing a mesh secret,
// each on its own NATS server, HTTP and RTMP ports and SRT port range. Prints the URLs to use; Ctrl-C stops everything it started, by PID.
// Built code only (dist/): `npm run mesh` runs the set-up first.
import { natsUrlAs, startMesh } from "../dist/bench/support/mesh.js";
import { onInterrupt } from "../dist/bench/support/processes.js";

const NATS_PORTS = [4222, 4223, 4224];
const NODES = [
  { http: 8081, rtmp: 1941, srt: "9000-9099" },
  { http: 8082, rtmp: 1942, srt: "9100-9199" },
  { http: 8083, rtmp: 1943, srt: "9200-9299" },
];

const say = (line = "") => process.stdout.write(`${line}\n`);
say("mesh: starting 3 nats-servers (JetStream cluster) and 3 Streamwell nodes...");
let mesh;
try {
  mesh = await startMesh({
    natsPorts: NATS_PORTS,
    secure: true,
    nodes: NODES.map(({ http, rtmp, srt }) => ({
      env: {
        STREAMWELL_HTTP_PORT: String(http),
        STREAMWELL_RTMP_PORT: String(rtmp),
        STREAMWELL_SRT_PORTS: srt,
      },
    })),
  });
} catch (error) {
  process.stderr.write(`mesh: could not start (everything started was stopped): ${error.message}\n`);
  process.stderr.write("mesh: are the ports free? NATS 4222-4224, HTTP 8081-8083, RTMP 1941-1943\n");
  process.exit(1);
}

let stopping = false;
onInterrupt(async () => {
  stopping = true;
  await mesh.stop();
}, "mesh");

say();
const client = mesh.access.users.find((user) => user.user === "client");
say(`NATS (JetStream, 3 servers, TLS; CA: ${mesh.access.caFile}): ${mesh.nats.url}`);
say(
  "  users node-1..node-3 (one per node) and client (Moleculer subjects only); the mesh secret is in each node's env",
);
say(`Log in as "admin" with password: ${mesh.adminPassword} (the same on every node: they share one store)`);
say();
for (const [i, node] of mesh.nodes.entries()) {
  const { http, srt } = NODES[i];
  say(`${node.nodeId}  (pid ${node.proc.pid}, NATS ${mesh.nats.servers[i].url})`);
  say(`  UI and API   ${node.api.baseUrl}/  (REST: ${node.api.baseUrl}/api/v1)`);
  say(
    `  RTMP ingest  ${node.rtmpBase}/<channel stream key>  (OBS: server ${node.rtmpBase}, key = stream key)`,
  );
  say(`  SRT ports    ${srt}   (HTTP ${http})`);
  void node.proc.exited.then(() => {
    if (!stopping) say(`mesh: ${node.nodeId} exited; the other nodes keep running (Ctrl-C stops them)`);
  });
}
say();
say("Try: publish to any node, restream from the UI of any other; kill a node by its pid to see failover.");
say(`External service example: NODE_EXTRA_CA_CERTS=${mesh.access.caFile} \\`);
say(`  NATS_URL=${natsUrlAs(mesh.nats.servers[0].url, client)} STREAMWELL_USERNAME=admin \\`);
say(`  STREAMWELL_PASSWORD=${mesh.adminPassword} node examples/external-client.mjs`);
say("Ctrl-C stops everything this started.");
