import { afterAll, beforeAll, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";

let node: NodeProcess;
beforeAll(async () => {
  node = await startNode({ dataDir: tempDataDir() });
});
afterAll(async () => {
  await node?.stop();
  if (node) removeDataDir(node.dataDir);
});

it("serves healthz and logs in the admin", async () => {
  const api = new ApiClient(node.baseUrl);
  expect((await api.request("GET", "/healthz")).status).toBe(200);
  const admin = await api.login("admin", ADMIN_PASSWORD);
  expect((await admin.get("/auth/me")).body.username).toBe("admin");
});
