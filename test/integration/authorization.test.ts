// The authorization matrix over HTTP: every route of API_ROUTES, called by an anonymous caller,
// user A (who owns the channel/restream/user under test), user B and an admin. Each call gets a
// fresh fixture and a valid payload, so the status reflects authorization only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES, type RestRoute } from "../../services/api/routes.js";
import { ApiClient, type ApiResponse } from "../support/api-client.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import { pngPicture } from "../support/pictures.js";

type CallerName = "anonymous" | "owner" | "other" | "admin";
const CALLERS: readonly CallerName[] = ["anonymous", "owner", "other", "admin"];

/**
 * public: anyone; user: any logged-in user; admin: admins only;
 * owner: the owner of the channel (or restream, or user account) under test, or an admin.
 */
type Access = "public" | "user" | "admin" | "owner";

/** One request: its path (relative to /api/v1), body, and a client replacing the caller's own. */
interface Call {
  readonly path: string;
  readonly body?: unknown;
  readonly client?: ApiClient;
  /** A body that is not JSON (a picture), with its content type. */
  readonly raw?: { readonly body: Uint8Array; readonly type: string };
}

interface RouteCase {
  readonly access: Access;
  readonly success: 200 | 201 | 204;
  fixture(caller: CallerName): Promise<Call>;
}

interface Account {
  readonly id: string;
  readonly username: string;
  readonly password: string;
}

let node: NodeProcess;
let api: ApiClient;
let clients: Record<CallerName, ApiClient>;
let accounts: Record<Exclude<CallerName, "anonymous">, Account>;
let destinationId: string;
let counter = 0;

const unique = (prefix: string) => `${prefix}${++counter}`;

function expectStatus(response: ApiResponse, status: number): void {
  expect(response.status, response.text).toBe(status);
}

async function newAccount(role: "admin" | "user" = "user"): Promise<Account> {
  const username = unique("user");
  const password = `${username}-password`;
  const response = await clients.admin.post("/users", { username, password, role });
  expectStatus(response, 201);
  return { id: response.body.id, username, password };
}

const loginAs = (account: Account) => api.login(account.username, account.password);

/** Port 9 (discard) on loopback: nothing listens, so deliveries fail and are only logged. */
const WEBHOOK = { url: "http://127.0.0.1:9/hook", events: ["channel.live"], secret: "authz-webhook-secret" };

async function freshWebhook(): Promise<string> {
  const response = await clients.admin.post("/webhooks", WEBHOOK);
  expectStatus(response, 201);
  return response.body.id;
}

/** A channel owned by user A. */
async function ownedChannel(): Promise<string> {
  const response = await clients.owner.post("/channels", { name: unique("Channel ") });
  expectStatus(response, 201);
  return response.body.id;
}

/** A restream on a channel owned by user A. */
async function ownedRestream(): Promise<string> {
  const channelId = await ownedChannel();
  const response = await clients.owner.post(`/channels/${channelId}/restreams`, {
    kind: "destination",
    destinationId,
    streamKey: "authz-key",
  });
  expectStatus(response, 201);
  return response.body.id;
}

async function freshDestination(): Promise<string> {
  const response = await clients.admin.post("/destinations", {
    name: unique("Dest "),
    url: "rtmp://authz.example.com/live",
  });
  expectStatus(response, 201);
  return response.body.id;
}

/** A session of its own for the caller, so that logging it out spares the shared one. */
async function ownSession(caller: CallerName): Promise<ApiClient | undefined> {
  return caller === "anonymous" ? undefined : loginAs(accounts[caller]);
}

const CASES: Record<string, RouteCase> = {
  "POST /auth/login": {
    access: "public",
    success: 200,
    fixture: async () => ({
      path: "/auth/login",
      body: { username: accounts.owner.username, password: accounts.owner.password },
    }),
  },
  "POST /auth/logout": {
    access: "user",
    success: 204,
    fixture: async (caller) => ({ path: "/auth/logout", client: await ownSession(caller) }),
  },
  "GET /auth/me": { access: "user", success: 200, fixture: async () => ({ path: "/auth/me" }) },
  "GET /users": { access: "admin", success: 200, fixture: async () => ({ path: "/users" }) },
  // API tokens are each caller's own: another user's token is as absent as a missing one (404,
  // tested in api-tokens.test.ts), so every caller here deletes a token of its own.
  "GET /tokens": { access: "user", success: 200, fixture: async () => ({ path: "/tokens" }) },
  "POST /tokens": {
    access: "user",
    success: 201,
    fixture: async () => ({ path: "/tokens", body: { name: "CI" } }),
  },
  "DELETE /tokens/:id": {
    access: "user",
    success: 204,
    fixture: async (caller) => {
      const owner = clients[caller === "anonymous" ? "owner" : caller];
      const made = await owner.post("/tokens", { name: unique("Doomed ") });
      expectStatus(made, 201);
      return { path: `/tokens/${made.body.id}` };
    },
  },
  "POST /users": {
    access: "admin",
    success: 201,
    fixture: async () => ({
      path: "/users",
      body: { username: unique("new"), password: "new-user-password", role: "user" },
    }),
  },
  "GET /users/:id": {
    access: "admin",
    success: 200,
    fixture: async () => ({ path: `/users/${accounts.owner.id}` }),
  },
  // The "owner" of a user account is that user: they may change their own password.
  "PATCH /users/:id": {
    access: "owner",
    success: 200,
    fixture: async (caller) => {
      const target = await newAccount();
      return {
        path: `/users/${target.id}`,
        body: { password: "changed-password", currentPassword: target.password },
        client: caller === "owner" ? await loginAs(target) : undefined,
      };
    },
  },
  "DELETE /users/:id": {
    access: "admin",
    success: 204,
    fixture: async () => ({ path: `/users/${(await newAccount()).id}` }),
  },
  "GET /features": { access: "user", success: 200, fixture: async () => ({ path: "/features" }) },
  "PUT /features": {
    access: "admin",
    success: 200,
    fixture: async () => ({ path: "/features", body: { restreaming: true, srt: true } }),
  },
  "GET /destinations": { access: "user", success: 200, fixture: async () => ({ path: "/destinations" }) },
  "GET /presets": { access: "user", success: 200, fixture: async () => ({ path: "/presets" }) },
  "POST /destinations": {
    access: "admin",
    success: 201,
    fixture: async () => ({
      path: "/destinations",
      body: { name: unique("Dest "), url: "rtmps://authz.example.com/app", insecureSkipVerify: true },
    }),
  },
  "GET /destinations/:id": {
    access: "user",
    success: 200,
    fixture: async () => ({ path: `/destinations/${destinationId}` }),
  },
  "PATCH /destinations/:id": {
    access: "admin",
    success: 200,
    fixture: async () => ({
      path: `/destinations/${await freshDestination()}`,
      body: { name: "Renamed", url: "srt://authz.example.com:9000" },
    }),
  },
  "DELETE /destinations/:id": {
    access: "admin",
    success: 204,
    fixture: async () => ({ path: `/destinations/${await freshDestination()}` }),
  },
  "GET /webhooks": { access: "admin", success: 200, fixture: async () => ({ path: "/webhooks" }) },
  "POST /webhooks": {
    access: "admin",
    success: 201,
    fixture: async () => ({ path: "/webhooks", body: WEBHOOK }),
  },
  "PATCH /webhooks/:id": {
    access: "admin",
    success: 200,
    fixture: async () => ({ path: `/webhooks/${await freshWebhook()}`, body: { events: ["channel.live"] } }),
  },
  "DELETE /webhooks/:id": {
    access: "admin",
    success: 204,
    fixture: async () => ({ path: `/webhooks/${await freshWebhook()}` }),
  },
  "GET /webhooks/:id/deliveries": {
    access: "admin",
    success: 200,
    fixture: async () => ({ path: `/webhooks/${await freshWebhook()}/deliveries` }),
  },
  "POST /webhooks/:id/test": {
    access: "admin",
    success: 200,
    fixture: async () => ({ path: `/webhooks/${await freshWebhook()}/test` }),
  },
  "GET /channels": { access: "user", success: 200, fixture: async () => ({ path: "/channels" }) },
  "POST /channels": {
    access: "user",
    success: 201,
    fixture: async () => ({ path: "/channels", body: { name: "New channel", srtIngest: true } }),
  },
  "GET /channels/:id": {
    access: "owner",
    success: 200,
    fixture: async () => ({ path: `/channels/${await ownedChannel()}` }),
  },
  "PATCH /channels/:id": {
    access: "owner",
    success: 200,
    fixture: async () => ({
      path: `/channels/${await ownedChannel()}`,
      body: { name: "Renamed", srtIngest: true },
    }),
  },
  "DELETE /channels/:id": {
    access: "owner",
    success: 204,
    fixture: async () => ({ path: `/channels/${await ownedChannel()}` }),
  },
  "POST /channels/:id/stream-key": {
    access: "owner",
    success: 200,
    fixture: async () => ({ path: `/channels/${await ownedChannel()}/stream-key` }),
  },
  "PUT /channels/:id/slate": {
    access: "owner",
    success: 204,
    fixture: async () => ({
      path: `/channels/${await ownedChannel()}/slate`,
      raw: { body: pngPicture("navy"), type: "image/png" },
    }),
  },
  "GET /channels/:channelId/restreams": {
    access: "owner",
    success: 200,
    fixture: async () => ({ path: `/channels/${await ownedChannel()}/restreams` }),
  },
  "POST /channels/:channelId/restreams": {
    access: "owner",
    success: 201,
    fixture: async () => ({
      path: `/channels/${await ownedChannel()}/restreams`,
      body: { kind: "destination", destinationId, streamKey: "new-key", name: "New restream" },
    }),
  },
  "GET /restreams/:id": {
    access: "owner",
    success: 200,
    fixture: async () => ({ path: `/restreams/${await ownedRestream()}` }),
  },
  "PATCH /restreams/:id": {
    access: "owner",
    success: 200,
    fixture: async () => ({
      path: `/restreams/${await ownedRestream()}`,
      body: { name: "Renamed", streamKey: "changed-key" },
    }),
  },
  "DELETE /restreams/:id": {
    access: "owner",
    success: 204,
    fixture: async () => ({ path: `/restreams/${await ownedRestream()}` }),
  },
  "POST /restreams/:id/start": {
    access: "owner",
    success: 200,
    fixture: async () => ({ path: `/restreams/${await ownedRestream()}/start` }),
  },
  "POST /restreams/:id/stop": {
    access: "owner",
    success: 200,
    fixture: async () => ({ path: `/restreams/${await ownedRestream()}/stop` }),
  },
  "POST /channels/:channelId/restreams/start": {
    access: "owner",
    success: 200,
    fixture: async () => ({ path: `/channels/${await ownedChannel()}/restreams/start` }),
  },
  "POST /channels/:channelId/restreams/stop": {
    access: "owner",
    success: 200,
    fixture: async () => ({ path: `/channels/${await ownedChannel()}/restreams/stop` }),
  },
  "GET /restreams/:id/logs": {
    access: "owner",
    success: 200,
    fixture: async () => ({ path: `/restreams/${await ownedRestream()}/logs` }),
  },
  "GET /restreams/:id/history": {
    access: "owner",
    success: 200,
    fixture: async () => ({ path: `/restreams/${await ownedRestream()}/history` }),
  },
  "GET /nodes": { access: "user", success: 200, fixture: async () => ({ path: "/nodes" }) },
  // The matrix runs routes in API_ROUTES order: undrain follows drain, so the node ends undrained.
  "POST /nodes/:id/drain": {
    access: "admin",
    success: 200,
    fixture: async () => ({ path: `/nodes/${await thisNodeId()}/drain` }),
  },
  "POST /nodes/:id/undrain": {
    access: "admin",
    success: 200,
    fixture: async () => ({ path: `/nodes/${await thisNodeId()}/undrain` }),
  },
};

/** The id of the one node under test, as GET /nodes names it. */
async function thisNodeId(): Promise<string> {
  const [self] = (await clients.admin.get("/nodes")).body.items as { id: string }[];
  if (!self) throw new Error("GET /nodes listed no node");
  return self.id;
}

function expectedStatus(access: Access, success: number, caller: CallerName): number {
  if (caller === "admin" || access === "public") return success;
  if (caller === "anonymous") return 401;
  if (access === "admin") return 403;
  if (access === "owner" && caller === "other") return 403;
  return success;
}

/** The route's path as a pattern, to check that a fixture calls the route it claims to. */
function pathPattern(route: RestRoute): RegExp {
  return new RegExp(`^${route.path.replace(/:[A-Za-z]+/g, "[A-Za-z0-9_-]+")}$`);
}

beforeAll(async () => {
  node = await startNode({ dataDir: tempDataDir() });
  api = new ApiClient(node.baseUrl);
  const admin = await api.login("admin", ADMIN_PASSWORD);
  clients = { anonymous: api, admin } as Record<CallerName, ApiClient>;
  const adminId = (await admin.get("/auth/me")).body.id;
  const [owner, other] = [await newAccount(), await newAccount()];
  accounts = { owner, other, admin: { id: adminId, username: "admin", password: ADMIN_PASSWORD } };
  clients.owner = await loginAs(owner);
  clients.other = await loginAs(other);
  destinationId = await freshDestination();
});

afterAll(async () => {
  await node?.stop();
  if (node) removeDataDir(node.dataDir);
});

describe("every route, every caller", () => {
  it("the matrix covers exactly the routes of API_ROUTES", () => {
    const routes = API_ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(Object.keys(CASES).sort()).toEqual([...routes].sort());
  });

  for (const route of API_ROUTES) {
    const key = `${route.method} ${route.path}`;
    describe(key, () => {
      for (const caller of CALLERS) {
        it(`as ${caller}`, async () => {
          const routeCase = CASES[key];
          if (!routeCase) throw new Error(`no authorization expectation for ${key}: add it to CASES`);
          const call = await routeCase.fixture(caller);
          expect(call.path).toMatch(pathPattern(route));
          const client = call.client ?? clients[caller];
          const raw = call.raw && { rawBody: call.raw.body, headers: { "content-type": call.raw.type } };
          const response = await client.request(route.method, `/api/v1${call.path}`, call.body, raw);
          const expected = expectedStatus(routeCase.access, routeCase.success, caller);
          expectStatus(response, expected);
          if (expected === 401) expect(response.body.error.code).toBe("unauthenticated");
          if (expected === 403) expect(response.body.error.code).toBe("forbidden");
        });
      }
    });
  }
});

describe("tokens", () => {
  it("a revoked token is refused (401)", async () => {
    const session = await loginAs(accounts.owner);
    expectStatus(await session.get("/auth/me"), 200);
    expectStatus(await session.post("/auth/logout"), 204);
    const response = await session.get("/channels");
    expectStatus(response, 401);
    expect(response.body.error.code).toBe("unauthenticated");
    expectStatus(await clients.owner.get("/auth/me"), 200);
  });

  it("a garbage or malformed token is refused (401)", async () => {
    for (const authorization of [
      "Bearer garbage",
      "Bearer ",
      "Basic YWRtaW46YWRtaW4=",
      `Token ${"x".repeat(43)}`,
    ]) {
      const response = await api.request("GET", "/api/v1/auth/me", undefined, { headers: { authorization } });
      expectStatus(response, 401);
      expect(response.body.error.code).toBe("unauthenticated");
    }
    const cookie = { headers: { cookie: "streamwell_session=garbage" } };
    expectStatus(await api.request("GET", "/api/v1/auth/me", undefined, cookie), 401);
  });

  it("a deleted user's token is refused (401)", async () => {
    const account = await newAccount();
    const session = await loginAs(account);
    expectStatus(await clients.admin.delete(`/users/${account.id}`), 204);
    expectStatus(await session.get("/auth/me"), 401);
  });

  it("a demoted admin loses admin rights at once", async () => {
    const account = await newAccount("admin");
    const session = await loginAs(account);
    expectStatus(await session.get("/users"), 200);
    expectStatus(await clients.admin.patch(`/users/${account.id}`, { role: "user" }), 200);
    const response = await session.get("/users");
    expectStatus(response, 403);
    expect(response.body.error.code).toBe("forbidden");
  });
});

describe("ownership", () => {
  it("user B's channel list does not contain A's channel; the admin's does", async () => {
    const channelId = await ownedChannel();
    const ids = async (client: ApiClient) =>
      (await client.get("/channels")).body.items.map((c: { id: string }) => c.id);
    expect(await ids(clients.other)).not.toContain(channelId);
    expect(await ids(clients.owner)).toContain(channelId);
    expect(await ids(clients.admin)).toContain(channelId);
  });

  it("refused writes change nothing", async () => {
    const channelId = await ownedChannel();
    const restreamId = await ownedRestream();
    const before = (await clients.owner.get(`/channels/${channelId}`)).body;
    expectStatus(await clients.other.post(`/channels/${channelId}/stream-key`), 403);
    expectStatus(await clients.other.patch(`/channels/${channelId}`, { name: "Hijacked" }), 403);
    expectStatus(await clients.other.delete(`/channels/${channelId}`), 403);
    expect((await clients.owner.get(`/channels/${channelId}`)).body).toEqual(before);

    const restreamBefore = (await clients.owner.get(`/restreams/${restreamId}`)).body;
    expect(restreamBefore.state).toBe("stopped");
    expectStatus(await clients.other.post(`/restreams/${restreamId}/start`), 403);
    expectStatus(await clients.other.patch(`/restreams/${restreamId}`, { name: "Hijacked" }), 403);
    expectStatus(await clients.other.delete(`/restreams/${restreamId}`), 403);
    expect((await clients.owner.get(`/restreams/${restreamId}`)).body).toEqual(restreamBefore);

    expectStatus(await clients.owner.put("/features", { restreaming: false }), 403);
    expect((await clients.owner.get("/features")).body).toEqual({ restreaming: true, srt: true });
  });

  it("an id in the body cannot retarget a request to another user's resource", async () => {
    const victimChannel = await ownedChannel();
    const intruder = await newAccount();
    const session = await loginAs(intruder);
    const mine = (await session.post("/channels", { name: "Intruder's channel" })).body.id;

    const created = await session.post(`/channels/${mine}/restreams`, {
      kind: "remote_playback",
      channelId: victimChannel,
    });
    if (created.status === 201) expect(created.body.channelId).toBe(mine);
    else expectStatus(created, 422);
    expect((await clients.owner.get(`/channels/${victimChannel}/restreams`)).body.items).toEqual([]);

    const patched = await session.patch(`/users/${intruder.id}`, {
      id: accounts.owner.id,
      password: "hijacked-password",
    });
    expect([200, 422]).toContain(patched.status);
    await expect(api.login(accounts.owner.username, "hijacked-password")).rejects.toThrow(/401/);
    expectStatus(await clients.owner.get("/auth/me"), 200);
  });

  it("a user may change their own password but not their role, nor another user's password", async () => {
    const account = await newAccount();
    const session = await loginAs(account);
    const own = `/users/${account.id}`;
    expectStatus(
      await session.patch(own, { password: "my-new-password", currentPassword: account.password }),
      200,
    );
    for (const body of [
      { role: "admin" },
      { role: "user" },
      { password: "my-newer-password", role: "admin" },
    ]) {
      const response = await session.patch(own, body);
      expectStatus(response, 403);
      expect(response.body.error.code).toBe("forbidden");
    }
    expectStatus(await session.patch(`/users/${accounts.other.id}`, { password: "stolen-password" }), 403);
    expectStatus(await session.patch(`/users/${accounts.admin.id}`, { password: "stolen-password" }), 403);
    expect((await session.get("/auth/me")).body.role).toBe("user");
    await expect(api.login(accounts.other.username, "stolen-password")).rejects.toThrow(/401/);
    await expect(api.login(account.username, "my-new-password")).resolves.toBeInstanceOf(ApiClient);
  });
});
