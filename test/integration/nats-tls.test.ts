// NATS over TLS (issue 13.2): a nats-server that requires TLS and a client certificate, with a
// throwaway CA. A node given the CA and its certificate joins (its KV store and its transporter
// both connect); a node without the CA refuses to start and says what to set.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { natsUrlAs } from "../../bench/support/mesh.js";
import { type NatsCluster, type NatsUser, startNatsCluster } from "../../bench/support/nats-server.js";
import {
  type CertificateAuthority,
  type KeyPair,
  makeCertificateAuthority,
} from "../../bench/support/tls-certs.js";
import { ApiClient } from "../support/api-client.js";
import { ADMIN_PASSWORD, removeDataDir, startNode, tempDataDir } from "../support/node-process.js";

const USER: NatsUser = { user: "node-1", password: "tls-test-Pw7" };
let dir: string;
let ca: CertificateAuthority;
let client: KeyPair;
let nats: NatsCluster;
let natsUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "streamwell-nats-tls-"));
  ca = await makeCertificateAuthority(dir);
  const server = await ca.issue("nats-server");
  client = await ca.issue("node-1");
  nats = await startNatsCluster({
    tls: { caFile: ca.caFile, ...server, verify: true, client },
    auth: { users: [USER] },
  });
  natsUrl = natsUrlAs(nats.url, USER);
}, 60_000);

afterAll(async () => {
  await nats?.remove();
  rmSync(dir, { recursive: true, force: true });
});

it("joins a NATS that requires TLS with the CA and a client certificate", async () => {
  const node = await startNode({
    dataDir: tempDataDir(),
    natsUrl,
    env: {
      STREAMWELL_NATS_TLS_CA: ca.caFile,
      STREAMWELL_NATS_TLS_CERT: client.certFile,
      STREAMWELL_NATS_TLS_KEY: client.keyFile,
    },
  });
  try {
    const admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
    expect((await admin.post("/channels", { name: "Over TLS" })).status).toBe(201);
    expect((await admin.get("/nodes")).body.items.map((n: { id: string }) => n.id)).toEqual(["test-node"]);
    expect(node.output.join("\n")).not.toContain(USER.password);
  } finally {
    await node.stop();
    removeDataDir(node.dataDir);
  }
});

it("refuses to start without the CA, and says to set STREAMWELL_NATS_TLS_CA", async () => {
  const dataDir = tempDataDir();
  const attempt = startNode({
    dataDir,
    natsUrl,
    env: { STREAMWELL_NATS_TLS_CERT: client.certFile, STREAMWELL_NATS_TLS_KEY: client.keyFile },
  });
  await expect(attempt).rejects.toThrow(/exited with 1[\s\S]*TLS[\s\S]*STREAMWELL_NATS_TLS_CA/);
  await expect(attempt).rejects.not.toThrow(USER.password);
  removeDataDir(dataDir);
});
