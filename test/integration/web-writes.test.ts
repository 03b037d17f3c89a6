// The HTTP edge against a real node, as a browser on another port of the same host would attack
// it: the session cookie rides along (SameSite looks at the site, not the port), so cookie writes
// need this origin; query strings never become params of a write (a page made a logged-in admin
// create an admin with one); bodies must be JSON and at most 64 KiB; the cookie is Secure behind
// TLS; /metrics needs its scrape token when one is set; your own password needs the current one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type ApiResponse } from "../support/api-client.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";

const METRICS_TOKEN = "metrics-scrape-token-for-tests";
let node: NodeProcess;
let admin: ApiClient;
let cookie: string;
let adminId: string;
const dataDir = tempDataDir();

beforeAll(async () => {
  node = await startNode({ dataDir, env: { STREAMWELL_METRICS_TOKEN: METRICS_TOKEN } });
  const api = new ApiClient(node.baseUrl);
  const login = await api.post("/auth/login", { username: "admin", password: ADMIN_PASSWORD });
  cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
  expect(cookie).toMatch(/^streamwell_session=./);
  admin = api.withToken(login.body.token);
  adminId = login.body.user.id;
}, 30_000);

afterAll(async () => {
  await node?.stop();
  removeDataDir(dataDir);
});

/** A request as the browser sends it: the cookie, no Authorization header. */
function withCookie(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  return new ApiClient(node.baseUrl).request(method, `/api/v1${path}`, body, {
    headers: { cookie, ...headers },
  });
}

const host = () => new URL(node.baseUrl).host;
const channelNames = async () =>
  (await admin.get("/channels")).body.items.map((channel: { name: string }) => channel.name);
const usernames = async () =>
  (await admin.get("/users")).body.items.map((user: { username: string }) => user.username);

function expectError(response: ApiResponse, status: number, code: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body.error.code).toBe(code);
}

describe("cookie writes need this origin", () => {
  it.each([
    ["a page on another port", { origin: "http://127.0.0.1:1" }],
    ["another site", { origin: "https://evil.example" }],
    ["no Origin at all", {}],
    ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site", origin: `http://${"127.0.0.1:1"}` }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
  ])("from %s: 403 and nothing written", async (_what, headers: Record<string, string>) => {
    const name = `Foreign ${Math.random()}`;
    expectError(await withCookie("POST", "/channels", headers, { name }), 403, "forbidden");
    expect(await channelNames()).not.toContain(name);
  });

  it("from this origin, by Origin or by Sec-Fetch-Site, it is done; a bearer token needs neither", async () => {
    expect(
      (await withCookie("POST", "/channels", { origin: `http://${host()}` }, { name: "By origin" })).status,
    ).toBe(201);
    const bySite = await withCookie(
      "POST",
      "/channels",
      { "sec-fetch-site": "same-origin" },
      { name: "By site" },
    );
    expect(bySite.status).toBe(201);
    const byToken = await admin.request(
      "POST",
      "/api/v1/channels",
      { name: "By token" },
      {
        headers: { origin: "https://evil.example" },
      },
    );
    expect(byToken.status).toBe(201);
    expect((await withCookie("GET", "/channels", { origin: "https://evil.example" })).status).toBe(200); // reads are not writes
  });
});

describe("writes take a JSON body only", () => {
  it("a write with a query string is refused, even from this origin: an admin is not made by a link", async () => {
    const query = "?username=csrf-admin&password=csrf-admin-password&role=admin";
    const sameOrigin = await new ApiClient(node.baseUrl).request("POST", `/api/v1/users${query}`, undefined, {
      headers: { cookie, origin: `http://${host()}` },
    });
    expectError(sameOrigin, 422, "validation_failed");
    expect(sameOrigin.body.error.fields).toEqual({ query: "not accepted on a write" });
    expectError(await admin.request("POST", `/api/v1/users${query}`, {}), 422, "validation_failed");
    expectError(
      await admin.request("PATCH", `/api/v1/users/${adminId}?role=user`, {}),
      422,
      "validation_failed",
    );
    expect(await usernames()).not.toContain("csrf-admin");
    expect((await admin.get("/auth/me")).body.role).toBe("admin");
  });

  it.each([
    ["text/plain", "name=Form"],
    ["application/x-www-form-urlencoded", "name=Form"],
    [
      "multipart/form-data; boundary=x",
      '--x\r\ncontent-disposition: form-data; name="name"\r\n\r\nForm\r\n--x--',
    ],
  ])("a %s body -> 415", async (type, rawBody) => {
    const response = await admin.request("POST", "/api/v1/channels", undefined, {
      rawBody,
      headers: { "content-type": type },
    });
    expect(response.status, response.text).toBe(415);
    expect(response.body.error.code).toBe("validation_failed");
    expect(await channelNames()).not.toContain("Form");
  });

  it("a body over 64 KiB is refused by its length, one under it is read", async () => {
    const big = JSON.stringify({ name: "x".repeat(64 * 1024) });
    expectError(
      await admin.request("POST", "/api/v1/channels", undefined, { rawBody: big }),
      413,
      "too_large",
    );
    const fits = JSON.stringify({ name: "x".repeat(60 * 1024) });
    expectError(
      await admin.request("POST", "/api/v1/channels", undefined, { rawBody: fits }),
      422,
      "validation_failed",
    );
  });
});

describe("session cookie", () => {
  it("is Secure when TLS ends in front of the node (X-Forwarded-Proto), and not on plain HTTP", async () => {
    const body = { username: "admin", password: ADMIN_PASSWORD };
    const api = new ApiClient(node.baseUrl);
    const behindTls = await api.request("POST", "/api/v1/auth/login", body, {
      headers: { "x-forwarded-proto": "https" },
    });
    expect(behindTls.headers.get("set-cookie")).toMatch(/; Secure$/);
    const plain = await api.post("/auth/login", body);
    expect(plain.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict/);
    expect(plain.headers.get("set-cookie")).not.toMatch(/Secure/);
  });
});

describe("/metrics with a scrape token", () => {
  it("answers 401 without it or with a wrong one, and the metrics with it", async () => {
    const metrics = (authorization?: string) =>
      fetch(`${node.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });
    expect((await metrics()).status).toBe(401);
    expect((await metrics("Bearer not-the-token-at-all")).status).toBe(401);
    expect((await metrics(`Bearer ${admin.token}`)).status).toBe(401);
    const scraped = await metrics(`Bearer ${METRICS_TOKEN}`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain("streamwell_node_capacity_restreams");
  });
});

describe("your own password", () => {
  it("needs the current one: without it or with a wrong one 422 and unchanged, with it changed", async () => {
    const account = { username: "self-changer", password: "self-changer-password" };
    expect((await admin.post("/users", { ...account, role: "user" })).status).toBe(201);
    const session = await new ApiClient(node.baseUrl).login(account.username, account.password);
    const self = `/users/${(await session.get("/auth/me")).body.id}`;

    const without = await session.patch(self, { password: "taken-over-password" });
    expectError(without, 422, "validation_failed");
    expect(without.body.error.fields).toEqual({ currentPassword: "is required to change your own password" });
    const wrong = await session.patch(self, {
      password: "taken-over-password",
      currentPassword: "a-guess-at-it",
    });
    expect(wrong.body.error.fields).toEqual({ currentPassword: "is wrong" });
    await expect(new ApiClient(node.baseUrl).login(account.username, "taken-over-password")).rejects.toThrow(
      /401/,
    );

    const right = await session.patch(self, {
      password: "a-new-password",
      currentPassword: account.password,
    });
    expect(right.status, right.text).toBe(200);
    await new ApiClient(node.baseUrl).login(account.username, "a-new-password");
  });

  it("an admin's own password needs it too; another user's does not", async () => {
    expectError(
      await admin.patch(`/users/${adminId}`, { password: "admin-taken-over" }),
      422,
      "validation_failed",
    );
    const other = await admin.post("/users", { username: "reset-by-admin", password: "forgotten-password" });
    expect((await admin.patch(`/users/${other.body.id}`, { password: "reset-password-1" })).status).toBe(200);
  });
});
