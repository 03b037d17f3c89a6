// The mesh `npm run mesh` starts (bench/support/mesh.ts), on free ports: three nodes, each on its own
// server of a 3-server NATS cluster (TLS, a NATS user per node limited to the project's subjects
// as docs/security.md says), state in a KV bucket with 3 replicas. A write through one node is
// read at once through a node on another server; when a node's NATS server dies, the node carries on
// through the others and nothing is lost.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Mesh, startMesh } from "../../bench/support/mesh.js";
import { ApiClient } from "../support/api-client.js";
import { waitFor } from "../support/wait.js";

let mesh: Mesh | undefined;
let api: ApiClient[] = [];

beforeAll(async () => {
  mesh = await startMesh({ secure: true });
  const token = (await new ApiClient(mesh.nodes[0]?.api.baseUrl as string).login("admin", mesh.adminPassword))
    .token;
  api = mesh.nodes.map((node) => new ApiClient(node.api.baseUrl, token));
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
});

it("reads a write through a node on another NATS server at once", async () => {
  const created = await (api[0] as ApiClient).post("/channels", { name: "Across servers" });
  expect(created.status).toBe(201);
  expect((await (api[2] as ApiClient).get(`/channels/${created.body.id}`)).body.name).toBe("Across servers");
});

it("keeps a node working through the other servers when its own NATS server is killed", async () => {
  const before = await (api[1] as ApiClient).post("/channels", { name: "Before the crash" });
  await (mesh as Mesh).nats.servers[0]?.stop("SIGKILL");

  // node-1's NATS server is gone: it reconnects to another one and answers from the replicated bucket.
  const node1 = api[0] as ApiClient;
  await waitFor("node-1 answering again", async () => (await node1.get("/channels")).status === 200, 30_000);
  expect((await node1.get(`/channels/${before.body.id}`)).body.name).toBe("Before the crash");
  const after = await node1.post("/channels", { name: "After the crash" });
  expect(after.status).toBe(201);
  expect((await (api[2] as ApiClient).get(`/channels/${after.body.id}`)).body.name).toBe("After the crash");
});
