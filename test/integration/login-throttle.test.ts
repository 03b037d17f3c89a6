// Login throttling against a real node (DESIGN: 5 failures per name, 20 per address, in a window;
// the window is 5 s here so the test sees it pass): 429 too_many_requests with Retry-After even for
// the right password, per name and per address, and logins work again once the window has passed.
// Also: a failure is logged without the password, and a name outside the key alphabet is a plain
// 401 that is not logged (it was a 500 that logged the name).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type ApiResponse } from "../support/api-client.js";
import { ADMIN_PASSWORD, type NodeProcess } from "../support/node-process.js";
import { type NodeWithAdmin, startNodeWithAdmin } from "../support/node-with-admin.js";
import { waitFor } from "../support/wait.js";

const WINDOW_SECONDS = 5;
let node: NodeProcess;
let admin: ApiClient;
let setup: NodeWithAdmin | undefined;

beforeAll(async () => {
  // Behind a trusted proxy, X-Forwarded-For names the client: each test uses its own addresses.
  setup = await startNodeWithAdmin({
    env: { STREAMWELL_LOGIN_WINDOW_SECONDS: String(WINDOW_SECONDS), STREAMWELL_TRUST_PROXY: "true" },
  });
  ({ node, admin } = setup);
}, 30_000);

afterAll(async () => {
  await setup?.stop();
});

let users = 0;
async function newUser(): Promise<{ username: string; password: string }> {
  users += 1;
  const account = { username: `throttled${users}`, password: `password-of-throttled-${users}` };
  expect((await admin.post("/users", { ...account, role: "user" })).status).toBe(201);
  return account;
}

function login(username: string, password: string, address: string): Promise<ApiResponse> {
  return new ApiClient(node.baseUrl).request(
    "POST",
    "/api/v1/auth/login",
    { username, password },
    { headers: { "x-forwarded-for": address } },
  );
}

function expectThrottled(response: ApiResponse): number {
  expect(response.status, response.text).toBe(429);
  expect(response.body.error.code).toBe("too_many_requests");
  const retryAfter = Number(response.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  return retryAfter;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("login throttling", () => {
  it("refuses a name after 5 failures, even with the right password and from elsewhere, until the window passes", async () => {
    const user = await newUser();
    // In parallel, so that all fall in the window even on a loaded machine (each costs scrypt work).
    const failures = await Promise.all(
      Array.from({ length: 5 }, () => login(user.username, "wrong-password", "192.0.2.1")),
    );
    expect(failures.map((response) => response.status)).toEqual(Array(5).fill(401));
    expectThrottled(await login(user.username, user.password, "192.0.2.1"));
    const retryAfter = expectThrottled(await login(user.username.toUpperCase(), user.password, "192.0.2.2"));
    expect((await login("admin", ADMIN_PASSWORD, "192.0.2.1")).status).toBe(200); // other names go on

    await sleep(retryAfter * 1000 + 100);
    expect((await login(user.username, user.password, "192.0.2.1")).status).toBe(200);
  }, 30_000);

  it("refuses an address after 20 failures, whatever the name, until the window passes", async () => {
    const user = await newUser();
    const failures = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(`nobody${i}`, "wrong-password", "198.51.100.7")),
    );
    expect(failures.map((response) => response.status)).toEqual(Array(20).fill(401));
    const retryAfter = expectThrottled(await login(user.username, user.password, "198.51.100.7"));
    expect((await login(user.username, user.password, "198.51.100.8")).status).toBe(200);

    await sleep(retryAfter * 1000 + 100);
    expect((await login(user.username, user.password, "198.51.100.7")).status).toBe(200);
  }, 30_000);

  it("logs each failure with the name and address but never the password", async () => {
    const user = await newUser();
    await login(user.username, "a-wrong-password-to-find", "203.0.113.9");
    const line = await waitFor("the login_failed line", () =>
      node.output.find((l) => l.includes('"login_failed"') && l.includes(user.username)),
    );
    expect(line).toContain("203.0.113.9");
    expect(node.output.join("\n")).not.toContain("a-wrong-password-to-find");
  });

  it("a login as a name outside the username alphabet is a 401, and the name is not logged", async () => {
    const odd = ["bad name", "admin\u0000", "ädmin", "a.b", "x/../y"];
    for (const username of odd) {
      const response = await login(username, "whatever-password", "203.0.113.10");
      expect(response.status, response.text).toBe(401);
      expect(response.body.error.code).toBe("unauthenticated");
    }
    // A failure with a possible name after them: once its line is out, theirs would be too.
    await login("sentinel-name", "whatever-password", "203.0.113.10");
    await waitFor("the sentinel's line", () => node.output.some((line) => line.includes("sentinel-name")));
    for (const username of odd) {
      expect(node.output.some((line) => line.includes(JSON.stringify(username).slice(1, -1)))).toBe(false);
    }
    expect(
      node.output.filter((line) => line.includes('"login_failed"') && line.includes("203.0.113.10")),
    ).toHaveLength(6);
  });
});
