// Three node processes on one real nats-server share their state through JetStream KV: a write
// through any node's API is seen through every other's, also after nats-server restarts.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type NatsCluster, startNatsCluster } from "../../bench/support/nats-server.js";
import { ApiClient } from "../support/api-client.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import { waitFor } from "../support/wait.js";

const NATS_USER = "streamwell";
const NATS_PASSWORD = "nats-pass-9fQ2x";
let nats: NatsCluster;
const nodes: NodeProcess[] = [];
let admins: ApiClient[] = [];

beforeAll(async () => {
  nats = await startNatsCluster({ auth: { user: NATS_USER, password: NATS_PASSWORD } });
  const natsUrl = nats.url.replace("nats://", `nats://${NATS_USER}:${NATS_PASSWORD}@`);
  const namespace = `mesh-${randomUUID().slice(0, 8)}`;
  for (const nodeId of ["node-1", "node-2", "node-3"]) {
    nodes.push(
      await startNode({ dataDir: tempDataDir(), natsUrl, nodeId, env: { STREAMWELL_NAMESPACE: namespace } }),
    );
  }
  const token = (await new ApiClient(nodes[0]?.baseUrl as string).login("admin", ADMIN_PASSWORD)).token;
  // One login serves every node: sessions live in the shared store.
  admins = nodes.map((node) => new ApiClient(node.baseUrl, token));
}, 90_000);

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  for (const node of nodes) removeDataDir(node.dataDir);
  await nats?.remove();
});

function admin(n: 1 | 2 | 3): ApiClient {
  return admins[n - 1] as ApiClient;
}

it("shows a write made through any node on every node", async () => {
  const created = await admin(1).post("/channels", { name: "From one" });
  expect(created.status).toBe(201);
  const path = `/channels/${created.body.id}`;
  for (const n of [2, 3] as const) {
    const seen = await admin(n).get(path);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ name: "From one", streamKey: created.body.streamKey });
  }
  expect((await admin(3).patch(path, { name: "Renamed on three" })).status).toBe(200);
  for (const n of [1, 2] as const) expect((await admin(n).get(path)).body.name).toBe("Renamed on three");
  expect((await admin(2).delete(path)).status).toBe(204);
  for (const n of [1, 3] as const) expect((await admin(n).get(path)).status).toBe(404);
});

it("keeps the data and propagates new writes after nats-server restarts", async () => {
  const before = await admin(2).post("/destinations", { name: "Before", url: "rtmp://127.0.0.1:1935/live" });
  expect(before.status).toBe(201);
  await (nats.servers[0] as NatsCluster["servers"][number]).restart();

  for (const n of [1, 2, 3] as const) {
    await waitFor(
      `node ${n} answering after the restart`,
      async () => (await admin(n).get("/destinations")).status === 200,
    );
    expect((await admin(n).get(`/destinations/${before.body.id}`)).body.name).toBe("Before");
  }
  const after = await admin(3).post("/channels", { name: "After" });
  expect(after.status).toBe(201);
  for (const n of [1, 2] as const)
    expect((await admin(n).get(`/channels/${after.body.id}`)).body.name).toBe("After");
});

it("never writes the NATS password to the log", () => {
  for (const node of nodes) {
    expect(node.output.join("\n")).not.toContain(NATS_PASSWORD);
    expect(node.output.join("\n")).toContain("[redacted]@127.0.0.1");
  }
});
