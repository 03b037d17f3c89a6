// The OpenAPI document's response schemas (services/api/responses.ts) against what a running node
// really answers: every declared route is called, its status and body checked with the strict
// schema (an extra, missing or mistyped field fails), so the schemas, and the web UI types
// generated from them, cannot drift from the views.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESPONSES } from "../../services/api/responses.js";
import { API_ROUTES } from "../../services/api/routes.js";
import { ApiClient } from "../support/api-client.js";
import { ADMIN_PASSWORD, type NodeProcess } from "../support/node-process.js";
import { type NodeWithAdmin, startNodeWithAdmin } from "../support/node-with-admin.js";
import { pngPicture } from "../support/pictures.js";
import { waitFor } from "../support/wait.js";
import { startReceiver } from "../support/webhook-receiver.js";

let node: NodeProcess;
let admin: ApiClient;
let setup: NodeWithAdmin | undefined;
const checked = new Set<string>();

function actionOf(method: string, path: string): string {
  const route = API_ROUTES.find(
    (one) => one.method === method && new RegExp(`^${one.path.replace(/:[A-Za-z]+/g, "[^/]+")}$`).test(path),
  );
  if (!route) throw new Error(`no route for ${method} ${path}`);
  return route.action;
}

/** Calls a route and checks its answer against the declared response; returns the body. */
async function call(
  client: ApiClient,
  method: string,
  path: string,
  body?: unknown,
  init?: Parameters<ApiClient["request"]>[3],
): Promise<any> {
  const action = actionOf(method, path);
  const declared = RESPONSES[action];
  if (!declared) throw new Error(`${action} has no declared response`);
  const response = await client.request(method, `/api/v1${path}`, body, init);
  expect(response.status, `${method} ${path}: ${response.text}`).toBe(declared.status);
  if (declared.schema) {
    const parsed = declared.schema.safeParse(response.body);
    expect(parsed.error?.issues ?? [], `${method} ${path}: ${response.text}`).toEqual([]);
  } else expect(response.text).toBe("");
  checked.add(action);
  return response.body;
}

beforeAll(async () => {
  // An SRT Push to a loopback port: the test allows loopback targets (refused by default).
  setup = await startNodeWithAdmin({ env: { STREAMWELL_SRT_PUSH_ALLOW: "127.0.0.0/8" } });
  ({ node, admin } = setup);
});

afterAll(async () => {
  await setup?.stop();
});

describe("response schemas against a running node", () => {
  it("users, tokens, sessions and features answer what the document says", async () => {
    const anonymous = new ApiClient(node.baseUrl);
    const login = await call(anonymous, "POST", "/auth/login", {
      username: "admin",
      password: ADMIN_PASSWORD,
    });
    const session = anonymous.withToken(login.token);
    await call(session, "GET", "/auth/me");
    await call(admin, "GET", "/users");
    const user = await call(admin, "POST", "/users", {
      username: "schema-user",
      password: "schema-password",
    });
    await call(admin, "GET", `/users/${user.id}`);
    await call(admin, "PATCH", `/users/${user.id}`, { role: "admin" });
    await call(admin, "DELETE", `/users/${user.id}`);
    const token = await call(admin, "POST", "/tokens", { name: "schema token", expiresInDays: 1 });
    await call(admin, "POST", "/tokens", { name: "forever" });
    await call(admin, "GET", "/tokens");
    await call(admin, "DELETE", `/tokens/${token.id}`);
    await call(admin, "GET", "/features");
    await call(admin, "PUT", "/features", { srt: true });
    const [self] = (await call(admin, "GET", "/nodes")).items as { id: string }[];
    await call(admin, "POST", `/nodes/${self?.id}/drain`);
    await call(admin, "POST", `/nodes/${self?.id}/undrain`);
    await call(session, "POST", "/auth/logout");
  });

  it("destinations, channels and restreams of every kind answer what the document says", async () => {
    const destination = await call(admin, "POST", "/destinations", {
      name: "Schema RTMP",
      url: "rtmp://127.0.0.1:1/live",
    });
    await call(admin, "GET", "/destinations");
    await call(admin, "GET", "/presets");
    await call(admin, "GET", `/destinations/${destination.id}`);
    await call(admin, "PATCH", `/destinations/${destination.id}`, { name: "Schema RTMP 2" });
    const channel = await call(admin, "POST", "/channels", { name: "Schema channel", srtIngest: true });
    await call(admin, "GET", "/channels");
    await call(admin, "GET", `/channels/${channel.id}`);
    await call(admin, "PATCH", `/channels/${channel.id}`, { name: "Schema channel 2" });
    await call(admin, "POST", `/channels/${channel.id}/stream-key`);
    await call(admin, "PUT", `/channels/${channel.id}/slate`, undefined, {
      rawBody: pngPicture("teal"),
      headers: { "content-type": "image/png" },
    });
    const restreams = `/channels/${channel.id}/restreams`;
    const pushed = await call(admin, "POST", restreams, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "schema-key",
      schedule: { stopAt: new Date(Date.now() + 3_600_000).toISOString() },
    });
    await call(admin, "POST", restreams, {
      kind: "srt_push",
      url: "srt://127.0.0.1:1?passphrase=schema-secret-1",
    });
    await call(admin, "POST", restreams, { kind: "remote_playback" });
    await call(admin, "GET", restreams);
    await call(admin, "GET", `/restreams/${pushed.id}`);
    await call(admin, "PATCH", `/restreams/${pushed.id}`, { name: "Renamed" });
    await call(admin, "POST", `/restreams/${pushed.id}/start`);
    await call(admin, "POST", `/restreams/${pushed.id}/stop`);
    await call(admin, "POST", `${restreams}/start`);
    await call(admin, "POST", `${restreams}/stop`);
    await call(admin, "GET", `/restreams/${pushed.id}/logs`);
    // The history is written in batches: wait for entries, so the items' schema is checked too.
    await waitFor("history entries", async () => {
      const history = await call(admin, "GET", `/restreams/${pushed.id}/history`);
      return history.items.length > 0;
    });
    await call(admin, "DELETE", `/restreams/${pushed.id}`);
    await call(admin, "DELETE", `/channels/${channel.id}`);
    await call(admin, "DELETE", `/destinations/${destination.id}`);
  });

  it("webhooks and their delivery log answer what the document says", async () => {
    const receiver = await startReceiver();
    try {
      const webhook = await call(admin, "POST", "/webhooks", {
        url: receiver.url,
        events: ["restream.state"],
        secret: "a-schema-test-secret",
      });
      await call(admin, "GET", "/webhooks");
      await call(admin, "PATCH", `/webhooks/${webhook.id}`, { events: ["restream.state", "channel.live"] });
      await call(admin, "POST", `/webhooks/${webhook.id}/test`);
      // The test event is delivered apart from the answer: wait for its attempt in the log.
      await waitFor("a recorded delivery", async () => {
        const log = await call(admin, "GET", `/webhooks/${webhook.id}/deliveries`);
        return log.items.length > 0;
      });
      await call(admin, "DELETE", `/webhooks/${webhook.id}`);
    } finally {
      await receiver.close();
    }
  });

  it("every declared response was checked against a real answer", () => {
    expect(Object.keys(RESPONSES).filter((action) => !checked.has(action))).toEqual([]);
  });
});
