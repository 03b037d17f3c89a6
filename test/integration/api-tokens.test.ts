// API tokens against a real node in a mesh: made (shown once), listed without the token, used as
// a bearer over REST and in ctx.meta.token by a plain Moleculer client on the mesh's NATS, and
// refused at once (401) on both once deleted, or once their user is deleted.
import { randomUUID } from "node:crypto";
import moleculer from "moleculer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsCluster, startNatsCluster } from "../../bench/support/nats-server.js";
import { ApiClient } from "../support/api-client.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";

const namespace = `tok-${randomUUID().slice(0, 8)}`;
let nats: NatsCluster;
let node: NodeProcess;
let external: moleculer.ServiceBroker;
let admin: ApiClient;
let api: ApiClient;

beforeAll(async () => {
  nats = await startNatsCluster();
  node = await startNode({
    dataDir: tempDataDir(),
    natsUrl: nats.url,
    env: { STREAMWELL_NAMESPACE: namespace },
  });
  api = new ApiClient(node.baseUrl);
  admin = await api.login("admin", ADMIN_PASSWORD);
  external = new moleculer.ServiceBroker({
    nodeID: "token-client",
    namespace,
    transporter: nats.url,
    logger: false,
  });
  await external.start();
  await external.waitForServices(["streamwell.users", "streamwell.channels"], 20_000);
}, 60_000);

afterAll(async () => {
  await external?.stop();
  await node?.stop();
  if (node) removeDataDir(node.dataDir);
  await nats?.remove();
});

async function newUser(username: string): Promise<{ id: string; client: ApiClient }> {
  const password = `${username}-password`;
  const made = await admin.post("/users", { username, password, role: "user" });
  expect(made.status, made.text).toBe(201);
  return { id: made.body.id, client: await api.login(username, password) };
}

/** A Moleculer call's outcome: the answer, or the error's code and type. */
function viaMesh(action: string, token: string, params: object = {}) {
  return external.call(action, params, { meta: { token } }).then(
    (answer) => ({ ok: answer as any }),
    (error: { code: number; type: string }) => ({ code: error.code, type: error.type }),
  );
}

describe("API tokens", () => {
  it("made once, listed without the token, act as their user over REST and Moleculer, and end at once when deleted", async () => {
    const alice = await newUser("alice");
    const made = await alice.client.post("/tokens", { name: "CI pipeline", expiresInDays: 30 });
    expect(made.status, made.text).toBe(201);
    expect(made.headers.get("location")).toBe(`/api/v1/tokens/${made.body.id}`);
    const { token, ...shown } = made.body;
    expect(token).toMatch(/^swt\./);
    expect(shown).toEqual({
      id: expect.stringMatching(/^tk_/),
      name: "CI pipeline",
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(Date.parse(shown.expiresAt) - Date.parse(shown.createdAt)).toBe(30 * 86_400_000);

    const listed = await alice.client.get("/tokens");
    expect(listed.body).toEqual({ items: [shown] });
    expect(listed.text).not.toContain(token.split(".")[2]);
    expect((await admin.get("/tokens")).body.items).toEqual([]); // only your own, even for an admin

    const bearer = api.withToken(token);
    expect((await bearer.get("/auth/me")).body).toEqual({ id: alice.id, username: "alice", role: "user" });
    const channel = await bearer.post("/channels", { name: "Made by CI" });
    expect(channel.status).toBe(201);
    expect(channel.body.ownerId).toBe(alice.id);
    expect((await bearer.get("/users")).status).toBe(403); // a user's token, a user's rights

    const listedViaMesh = await viaMesh("streamwell.channels.list", token);
    expect("ok" in listedViaMesh && listedViaMesh.ok.items.map((c: { name: string }) => c.name)).toEqual([
      "Made by CI",
    ]);

    expect((await alice.client.delete(`/tokens/${shown.id}`)).status).toBe(204);
    const after = await bearer.get("/auth/me");
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("unauthenticated");
    expect(await viaMesh("streamwell.channels.list", token)).toEqual({ code: 401, type: "unauthenticated" });
    expect((await alice.client.get("/tokens")).body.items).toEqual([]);
    expect((await alice.client.delete(`/tokens/${shown.id}`)).status).toBe(404);
  }, 30_000);

  it("another user's token cannot be deleted (404) and keeps working", async () => {
    const bob = await newUser("bob");
    const carol = await newUser("carol");
    const made = (await bob.client.post("/tokens", { name: "Bob's" })).body;
    expect(made.expiresAt).toBeNull();
    for (const client of [carol.client, admin]) {
      const refused = await client.delete(`/tokens/${made.id}`);
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe("not_found");
    }
    expect((await api.withToken(made.token).get("/auth/me")).status).toBe(200);
  });

  it("end with their user", async () => {
    const dave = await newUser("dave");
    const { token } = (await dave.client.post("/tokens", { name: "Dave's" })).body;
    expect((await api.withToken(token).get("/auth/me")).status).toBe(200);
    expect((await admin.delete(`/users/${dave.id}`)).status).toBe(204);
    expect((await api.withToken(token).get("/auth/me")).status).toBe(401);
    expect(await viaMesh("streamwell.users.me", token)).toEqual({ code: 401, type: "unauthenticated" });
  });

  it("refuses bad input with the fields named", async () => {
    for (const body of [
      {},
      { name: "" },
      { name: "x", expiresInDays: 0 },
      { name: "x", expiresInDays: 1.5 },
      { name: "x", token: "mine" },
    ]) {
      const response = await admin.post("/tokens", body);
      expect(response.status, JSON.stringify(body)).toBe(422);
    }
    expect((await api.post("/tokens", { name: "anonymous" })).status).toBe(401);
  });
});
