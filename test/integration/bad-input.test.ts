// Bad payloads over HTTP, each with its status and error code, the shape of every error body, and
// no secret in any list response, error body or line the node writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type ApiResponse } from "../support/api-client.js";
import { ADMIN_PASSWORD, type NodeProcess } from "../support/node-process.js";
import { type NodeWithAdmin, startNodeWithAdmin } from "../support/node-with-admin.js";

const DEST_KEY = "SECRET-DEST-KEY-123";
const PASSPHRASE = "SECRET-PASSPHRASE-456";
const USER_PASSWORD = "user-password-for-bad-input";

let node: NodeProcess;
let setup: NodeWithAdmin | undefined;
let anonymous: ApiClient;
let admin: ApiClient;
let user: ApiClient;
let adminId: string;
let channel: { id: string; streamKey: string; ingest: { srt: string } };
let rtmpDestinationId: string;
let srtDestinationId: string;
let restreamId: string;
/** Every secret that must never show up where it does not belong. */
const secrets: string[] = [DEST_KEY, PASSPHRASE, ADMIN_PASSWORD, USER_PASSWORD, "passwordHash", "scrypt$"];
/** Every error answer this file received. */
const errors: ApiResponse[] = [];

async function call(
  client: ApiClient,
  method: string,
  path: string,
  body?: unknown,
  init?: { headers?: Record<string, string>; rawBody?: string },
): Promise<ApiResponse> {
  const response = await client.request(
    method,
    path.startsWith("/api/") ? path : `/api/v1${path}`,
    body,
    init,
  );
  if (response.status >= 400) errors.push(response);
  return response;
}

/** {error:{code, message[, fields]}} and nothing else. */
function expectErrorShape(response: ApiResponse): void {
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(Object.keys(response.body ?? {}), response.text).toEqual(["error"]);
  const { code, message, fields, ...rest } = response.body.error;
  expect(rest).toEqual({});
  expect(typeof code).toBe("string");
  expect(typeof message).toBe("string");
  if (fields !== undefined) {
    expect(Object.values(fields).every((value) => typeof value === "string")).toBe(true);
  }
  expect(response.text).not.toMatch(/stack|\bat \S+ \(|node_modules|\.js:\d+/i);
}

/** Asserts status, code and that `field` (if given) is among `fields`, with `message` if given. */
function expectError(
  response: ApiResponse,
  status: number,
  code: string,
  field?: string,
  message?: string | RegExp,
): void {
  expect({ status: response.status, code: response.body?.error?.code }, response.text).toEqual({
    status,
    code,
  });
  expectErrorShape(response);
  if (field !== undefined) {
    expect(response.body.error.fields, response.text).toHaveProperty([field]);
    if (message !== undefined) expect(response.body.error.fields[field]).toMatch(message);
  }
}

/** Replaces {admin}, {channel}, {rtmp}, {srt} and {restream} with the fixtures' ids. */
function fill<T>(template: T): T {
  if (template === undefined) return template;
  const ids: Record<string, string> = {
    admin: adminId,
    channel: channel.id,
    rtmp: rtmpDestinationId,
    srt: srtDestinationId,
    restream: restreamId,
  };
  const text = JSON.stringify(template).replace(
    /\{([a-z]+)\}/g,
    (_, name: string) => ids[name] ?? `{${name}}`,
  );
  return JSON.parse(text);
}

function created(response: ApiResponse): any {
  expect(response.status, response.text).toBe(201);
  return response.body;
}

beforeAll(async () => {
  setup = await startNodeWithAdmin();
  ({ node, admin } = setup);
  anonymous = new ApiClient(node.baseUrl);
  adminId = (await admin.get("/auth/me")).body.id;
  created(await admin.post("/users", { username: "ursula", password: USER_PASSWORD, role: "user" }));
  user = await anonymous.login("ursula", USER_PASSWORD);

  channel = created(await admin.post("/channels", { name: "Secret channel", srtIngest: true }));
  rtmpDestinationId = created(
    await admin.post("/destinations", { name: "RTMP", url: "rtmp://rtmp.example.com/live" }),
  ).id;
  srtDestinationId = created(
    await admin.post("/destinations", {
      name: "SRT",
      url: `srt://srt.example.com:9000?passphrase=${PASSPHRASE}`,
    }),
  ).id;
  restreamId = created(
    await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: rtmpDestinationId,
      streamKey: DEST_KEY,
    }),
  ).id;
  const playback = created(
    await admin.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" }),
  );
  created(await user.post("/channels", { name: "User channel" }));

  const passphraseOf = (url: string) => /passphrase=([^&]+)/.exec(url)?.[1] ?? "";
  secrets.push(
    admin.token ?? "",
    user.token ?? "",
    channel.streamKey,
    passphraseOf(channel.ingest.srt),
    passphraseOf(playback.playbackUrl),
  );
  expect(secrets.every((secret) => secret.length >= 6)).toBe(true);
});

afterAll(async () => {
  await setup?.stop();
});

describe("malformed bodies", () => {
  it.each([
    ['{"name":'],
    ["{name: 'x'}"],
    ['{"name":"a"}}'],
    ["[1,"],
    ['"just a string"'],
    ["null"],
    ["nul"],
  ])("broken JSON %s -> 400 bad_json", async (rawBody) => {
    const response = await call(admin, "POST", "/channels", undefined, { rawBody });
    expectError(response, 400, "bad_json");
  });

  it("a body over 64 KiB -> 413 too_large", async () => {
    const rawBody = JSON.stringify({ name: "x".repeat(64 * 1024 + 16) });
    expectError(await call(admin, "POST", "/channels", undefined, { rawBody }), 413, "too_large");
    expectError(await call(admin, "PUT", "/features", undefined, { rawBody }), 413, "too_large");
    expect((await admin.get("/channels")).body.items.map((c: { name: string }) => c.name)).not.toContain(
      "x".repeat(64 * 1024 + 16),
    );
  });

  it("an array body -> 422 validation_failed", async () => {
    expectError(await call(admin, "POST", "/channels", [{ name: "x" }]), 422, "validation_failed");
  });
});

describe("wrong types -> 422 validation_failed naming the field", () => {
  const cases: [string, string, unknown, string][] = [
    ["POST", "/users", { username: 42, password: "long-enough-1", role: "user" }, "username"],
    ["POST", "/users", { username: "bad name!", password: "long-enough-1" }, "username"],
    ["POST", "/users", { username: "okname", password: "short" }, "password"],
    ["POST", "/users", { username: "okname", password: "long-enough-1", role: "root" }, "role"],
    ["PATCH", "/users/{admin}", { role: "superuser" }, "role"],
    ["PATCH", "/users/{admin}", { password: 12345678 }, "password"],
    ["PUT", "/features", { restreaming: "false" }, "restreaming"],
    ["PUT", "/features", { srt: 1 }, "srt"],
    ["POST", "/channels", { name: 123 }, "name"],
    ["POST", "/channels", {}, "name"],
    ["POST", "/channels", { name: "   " }, "name"],
    ["POST", "/channels", { name: "bell\u0007" }, "name"],
    ["POST", "/channels", { name: "x".repeat(101) }, "name"],
    ["POST", "/channels", { name: "ok", srtIngest: "yes" }, "srtIngest"],
    ["PATCH", "/channels/{channel}", { srtIngest: null }, "srtIngest"],
    ["POST", "/destinations", { name: "d", url: 42 }, "url"],
    ["POST", "/destinations", { url: "rtmp://h.example.com/live" }, "name"],
    [
      "POST",
      "/destinations",
      { name: "d", url: "rtmps://h.example.com/live", insecureSkipVerify: "true" },
      "insecureSkipVerify",
    ],
    [
      "POST",
      "/channels/{channel}/restreams",
      { kind: "destination", destinationId: "{rtmp}", streamKey: 5 },
      "streamKey",
    ],
    [
      "POST",
      "/channels/{channel}/restreams",
      { kind: "destination", destinationId: "{rtmp}", streamKey: "has space" },
      "streamKey",
    ],
    [
      "POST",
      "/channels/{channel}/restreams",
      { kind: "destination", destinationId: 7, streamKey: "k" },
      "destinationId",
    ],
    ["POST", "/channels/{channel}/restreams", { kind: "srt_push", url: ["srt://h.example.com:9000"] }, "url"],
    ["POST", "/channels/{channel}/restreams", { kind: "teleport" }, "kind"],
    ["PATCH", "/restreams/{restream}", { name: "" }, "name"],
    ["PATCH", "/restreams/{restream}", { streamKey: "" }, "streamKey"],
    ["POST", "/auth/login", { username: 1, password: "long-enough-1" }, "username"],
  ];

  it.each(cases)("%s %s %j -> fields.%s", async (method, path, body, field) => {
    const response = await call(admin, method, fill(path), fill(body));
    expectError(response, 422, "validation_failed", field);
    expect(Object.keys(response.body.error.fields)).toEqual([field]);
  });

  it("changes nothing when refused", async () => {
    expect((await admin.get("/features")).body).toEqual({ restreaming: true, srt: true });
    expect((await admin.get(`/channels/${channel.id}`)).body).toMatchObject({
      name: "Secret channel",
      srtIngest: true,
    });
    expect((await admin.get("/auth/me")).body.role).toBe("admin");
  });
});

describe("unknown fields -> 422 with fields.<name> = 'unknown field'", () => {
  const cases: [string, string, unknown, string][] = [
    ["POST", "/channels", { name: "x", color: "red" }, "color"],
    ["PUT", "/features", { restreaming: true, turbo: true }, "turbo"],
    ["POST", "/users", { username: "newbie", password: "long-enough-1", admin: true }, "admin"],
    ["PATCH", "/destinations/{rtmp}", { name: "x", key: "y" }, "key"],
    ["PATCH", "/channels/{channel}", { streamKey: "mine" }, "streamKey"],
    [
      "POST",
      "/channels/{channel}/restreams",
      { kind: "destination", destinationId: "{rtmp}", streamKey: "k", passphrase: "x" },
      "passphrase",
    ],
    ["POST", "/channels/{channel}/restreams", { kind: "remote_playback", port: 9001 }, "port"],
    ["POST", "/auth/login", { username: "admin", password: "long-enough-1", remember: true }, "remember"],
    ["POST", "/restreams/{restream}/start", { force: true }, "force"],
    ["GET", "/channels?foo=bar", undefined, "foo"],
  ];

  it.each(cases)("%s %s %j -> fields.%s", async (method, path, body, field) => {
    const response = await call(admin, method, fill(path), fill(body));
    expectError(response, 422, "validation_failed", field, /^unknown field$/);
    expect(Object.keys(response.body.error.fields)).toEqual([field]);
  });
});

describe("bad destination URLs -> 422 fields.url", () => {
  const badUrls = [
    "file:///etc/passwd",
    "concat:rtmp://a.example.com/live|rtmp://b.example.com/live",
    "rtmp://host.example.com",
    "rtmp://h.example.com/live?key=x",
    "srt://h.example.com:1?mode=listener",
    "srt://h.example.com:9000?passphrase=short",
    " rtmp://h.example.com/live",
    "rtmp://h.example.com/live\n",
    "rtmp://h.example.com/li ve",
    "http://example.com/live",
    "",
    "rtmp://user:pass@h.example.com/live",
    "rtmp://h.example.com/../live",
    "rtmp://127.1/live",
    "srt://h.example.com",
    "srt://h.example.com:9000?latency=1&latency=2",
    "srt://h.example.com:9000?foo=bar",
    "rtmp://h.example.com:99999/live",
    "rtmp+tls://h.example.com/live",
  ];

  it.each(badUrls)("%j", async (url) => {
    expectError(
      await call(admin, "POST", "/destinations", { name: "Bad", url }),
      422,
      "validation_failed",
      "url",
    );
    expectError(
      await call(admin, "PATCH", `/destinations/${rtmpDestinationId}`, { url }),
      422,
      "validation_failed",
      "url",
    );
    expectError(
      await call(admin, "POST", `/channels/${channel.id}/restreams`, { kind: "srt_push", url }),
      422,
      "validation_failed",
      "url",
    );
  });

  it("an SRT Push takes only srt:// URLs", async () => {
    const response = await call(admin, "POST", `/channels/${channel.id}/restreams`, {
      kind: "srt_push",
      url: "rtmp://h.example.com/live",
    });
    expectError(response, 422, "validation_failed", "url");
  });

  it("the refused URLs changed nothing", async () => {
    const list = (await admin.get("/destinations")).body.items;
    expect(list.map((d: { url: string }) => d.url)).toEqual([
      "rtmp://rtmp.example.com/live",
      "srt://srt.example.com:9000?passphrase=***",
    ]);
  });
});

describe("bad ids -> 422 validation_failed", () => {
  const badIds = ["../x", "a.b", "ch_", `ch_${"a".repeat(41)}`, "CH_abc", "ch_a b", "ch_a%00", "ch_abc;drop"];
  const routes: [string, (id: string) => string, string][] = [
    ["GET", (id) => `/users/${id}`, "id"],
    ["GET", (id) => `/channels/${id}`, "id"],
    ["GET", (id) => `/destinations/${id}`, "id"],
    ["DELETE", (id) => `/restreams/${id}`, "id"],
    ["POST", (id) => `/restreams/${id}/start`, "id"],
    ["GET", (id) => `/channels/${id}/restreams`, "channelId"],
  ];

  it.each(badIds)("%j", async (id) => {
    for (const [method, path, field] of routes) {
      const response = await call(admin, method, path(encodeURIComponent(id)), undefined);
      expectError(response, 422, "validation_failed", field, "not a valid id");
    }
  });

  it("a well-formed id that does not exist -> 404 not_found", async () => {
    expectError(await call(admin, "GET", "/channels/ch_doesNotExist"), 404, "not_found");
    expectError(await call(admin, "GET", "/restreams/rs_doesNotExist/logs"), 404, "not_found");
  });
});

describe("unknown routes -> 404 not_found", () => {
  const routes: [string, string][] = [
    ["GET", "/api/v1/nope"],
    // Any other GET path without an extension is a UI page (index.html): see web-app.test.ts.
    ["GET", "/nope.txt"],
    ["GET", "/api/v2/channels"],
    ["DELETE", "/api/v1/features"],
    ["POST", "/api/v1/nodes"],
    ["GET", "/api/v1/channels/ch_x/y/z"],
  ];

  it.each(routes)("%s %s", async (method, path) => {
    expectError(await call(admin, method, path), 404, "not_found");
    expectError(await call(anonymous, method, path), 404, "not_found");
  });
});

describe("secrets", () => {
  it("error bodies do not echo secrets sent in bad payloads", async () => {
    const attempts: [ApiClient, string, string, unknown, number][] = [
      [
        admin,
        "POST",
        `/channels/${channel.id}/restreams`,
        { kind: "destination", destinationId: rtmpDestinationId, streamKey: `${DEST_KEY} x` },
        422,
      ],
      [
        admin,
        "POST",
        `/channels/${channel.id}/restreams`,
        { kind: "destination", destinationId: rtmpDestinationId, streamKey: DEST_KEY.repeat(60) },
        422,
      ],
      [
        admin,
        "PATCH",
        `/restreams/${restreamId}`,
        { url: `srt://h.example.com:9000?passphrase=${PASSPHRASE}` },
        422,
      ],
      [
        admin,
        "PATCH",
        `/destinations/${srtDestinationId}`,
        { url: `srt://srt.example.com:9000?passphrase=${PASSPHRASE}&mode=listener` },
        422,
      ],
      [
        admin,
        "POST",
        `/channels/${channel.id}/restreams`,
        { kind: "srt_push", url: `srt://h.example.com:9000?passphrase=${PASSPHRASE}&pbkeylen=7` },
        422,
      ],
      [admin, "POST", "/destinations", { name: "x", url: `rtmp://h.example.com/live?key=${DEST_KEY}` }, 422],
      [
        admin,
        "POST",
        "/destinations",
        { name: "x", url: `rtmp://admin:${ADMIN_PASSWORD}@h.example.com/live` },
        422,
      ],
      [admin, "POST", "/destinations", { name: "x", url: `rtmp://h.example.com/${DEST_KEY}|x` }, 422],
      [anonymous, "POST", "/auth/login", { username: "nobody", password: ADMIN_PASSWORD }, 401],
      [anonymous, "POST", "/auth/login", { username: "admin", password: `${ADMIN_PASSWORD}x` }, 401],
      [anonymous, "POST", "/auth/login", { username: "admin", password: ADMIN_PASSWORD.repeat(20) }, 422],
      [anonymous.withToken(channel.streamKey), "GET", "/channels", undefined, 401],
      [user, "GET", `/channels/${channel.id}`, undefined, 403],
      [user, "PATCH", `/users/${adminId}`, { password: ADMIN_PASSWORD }, 403],
      [user, "GET", `/restreams/${restreamId}`, undefined, 403],
    ];
    for (const [client, method, path, body, status] of attempts) {
      const response = await call(client, method, path, body);
      expect(response.status, `${method} ${path}: ${response.text}`).toBe(status);
      expectErrorShape(response);
    }
    expect((await admin.get(`/destinations/${srtDestinationId}`)).body.url).toBe(
      "srt://srt.example.com:9000?passphrase=***",
    );
  });

  it("no list response holds a secret", async () => {
    const paths = ["/users", "/destinations", "/channels", `/channels/${channel.id}/restreams`, "/nodes"];
    for (const client of [admin, user]) {
      for (const path of paths) {
        const response = await client.get(path);
        if (client === user && path === "/users") {
          expect(response.status).toBe(403);
          continue;
        }
        if (client === user && path.includes(channel.id)) {
          expect(response.status).toBe(403);
          continue;
        }
        expect(response.status, `${path}: ${response.text}`).toBe(200);
        expect(response.body.items.length, path).toBeGreaterThan(0);
        for (const secret of secrets) expect(response.text, `${path} holds a secret`).not.toContain(secret);
      }
    }
  });

  it("GET /metrics holds no secret", async () => {
    const response = await admin.request("GET", "/metrics");
    expect(response.status).toBe(200);
    expect(response.text).toContain("streamwell_restream_state{");
    for (const secret of secrets) expect(response.text, "/metrics holds a secret").not.toContain(secret);
  });

  it("every error body in this file has the error shape and holds no secret", () => {
    expect(errors.length).toBeGreaterThan(100);
    for (const response of errors) {
      expectErrorShape(response);
      for (const secret of secrets) expect(response.text).not.toContain(secret);
    }
  });

  it("the node's stdout and stderr hold no secret", () => {
    const output = node.output.join("\n");
    expect(output).toContain('"event":"listening"');
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
