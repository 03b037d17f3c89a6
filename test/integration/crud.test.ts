// CRUD over HTTP for every resource, as a user of the REST API sees it: status codes, bodies,
// Location headers, what is redacted where, and the feature switches.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES } from "../../services/api/routes.js";
import { ApiClient, type ApiResponse } from "../support/api-client.js";
import { ADMIN_PASSWORD, type NodeProcess } from "../support/node-process.js";
import { type NodeWithAdmin, startNodeWithAdmin } from "../support/node-with-admin.js";

const STREAM_KEY = /^[A-Za-z0-9_-]{22,}$/;
const PLAYBACK_URL = /^srt:\/\/127\.0\.0\.1:(\d+)\?passphrase=([A-Za-z0-9_-]{10,79})$/;
const IDLE_STATS = { bitrateBps: 0, bytesSent: 0, uptimeSeconds: 0, restarts: 0, speed: 0 };

let node: NodeProcess;
let setup: NodeWithAdmin | undefined;
let api: ApiClient;
let admin: ApiClient;
let adminId: string;
let counter = 0;

const unique = (prefix: string) => `${prefix}${++counter}`;

/** Asserts an error answer: status, code and (optionally) the fields it names. */
function expectError(response: ApiResponse, status: number, code: string, fields?: string[]): void {
  expect({ status: response.status, code: response.body?.error?.code }, response.text).toEqual({
    status,
    code,
  });
  if (fields) expect(Object.keys(response.body.error.fields ?? {}).sort()).toEqual([...fields].sort());
}

function expectStatus(response: ApiResponse, status: number): void {
  expect(response.status, response.text).toBe(status);
}

async function createUser(role: "admin" | "user" = "user") {
  const username = unique("user");
  const password = `${username}-password`;
  const response = await admin.post("/users", { username, password, role });
  expectStatus(response, 201);
  return { id: response.body.id as string, username, password, client: await api.login(username, password) };
}

async function createChannel(client: ApiClient, body: Record<string, unknown> = {}) {
  const response = await client.post("/channels", { name: unique("Channel "), ...body });
  expectStatus(response, 201);
  return response.body;
}

async function createDestination(
  url = "rtmp://ingest.example.com/live",
  extra: Record<string, unknown> = {},
) {
  const response = await admin.post("/destinations", { name: unique("Dest "), url, ...extra });
  expectStatus(response, 201);
  return response.body;
}

async function createRestream(client: ApiClient, channelId: string, body: Record<string, unknown>) {
  const response = await client.post(`/channels/${channelId}/restreams`, body);
  expectStatus(response, 201);
  return response.body;
}

/** Runs `body` with the feature switches changed, then turns everything back on. */
async function withFeatures(change: Record<string, boolean>, body: () => Promise<void>): Promise<void> {
  expectStatus(await admin.put("/features", change), 200);
  try {
    await body();
  } finally {
    expectStatus(await admin.put("/features", { restreaming: true, srt: true }), 200);
  }
}

beforeAll(async () => {
  setup = await startNodeWithAdmin();
  ({ node, admin } = setup);
  api = new ApiClient(node.baseUrl);
  adminId = (await admin.get("/auth/me")).body.id;
});

afterAll(async () => {
  await setup?.stop();
});

describe("users", () => {
  it("an admin creates, lists, gets, re-roles and deletes a user", async () => {
    const username = unique("carol");
    const created = await admin.post("/users", { username, password: "carol-password", role: "user" });
    expectStatus(created, 201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^us_[A-Za-z0-9_-]+$/),
      username,
      role: "user",
      createdAt: expect.any(String),
      quotas: { channels: 0, restreams: 0, srtPorts: 10 },
    });
    expect(created.headers.get("location")).toBe(`/api/v1/users/${created.body.id}`);

    const list = await admin.get("/users");
    expectStatus(list, 200);
    expect(list.body.items.map((u: { username: string }) => u.username)).toEqual(
      expect.arrayContaining(["admin", username]),
    );
    expect(list.body.items.find((u: { id: string }) => u.id === created.body.id)).toEqual(created.body);

    expect((await admin.get(`/users/${created.body.id}`)).body).toEqual(created.body);

    const promoted = await admin.patch(`/users/${created.body.id}`, { role: "admin" });
    expectStatus(promoted, 200);
    expect(promoted.body).toEqual({ ...created.body, role: "admin" });
    expect((await admin.patch(`/users/${created.body.id}`, { role: "user" })).body.role).toBe("user");

    const client = await api.login(username, "carol-password");
    expectStatus(await admin.delete(`/users/${created.body.id}`), 204);
    expectError(await admin.get(`/users/${created.body.id}`), 404, "not_found");
    expectError(await client.get("/auth/me"), 401, "unauthenticated");
    expectError(
      await api.post("/auth/login", { username, password: "carol-password" }),
      401,
      "unauthenticated",
    );
  });

  it("a user changes their own password: the new one logs in, the old one and other sessions do not", async () => {
    const user = await createUser();
    const otherSession = await api.login(user.username, user.password);
    const changed = await user.client.patch(`/users/${user.id}`, {
      password: "brand-new-password",
      currentPassword: user.password,
    });
    expectStatus(changed, 200);
    expect(changed.body).toMatchObject({ id: user.id, username: user.username, role: "user" });

    expect((await user.client.get("/auth/me")).body.id).toBe(user.id); // the session that changed it lives on
    expectError(await otherSession.get("/auth/me"), 401, "unauthenticated");
    const fresh = await api.login(user.username, "brand-new-password");
    expect((await fresh.get("/auth/me")).body).toEqual({
      id: user.id,
      username: user.username,
      role: "user",
    });
    expectError(
      await api.post("/auth/login", { username: user.username, password: user.password }),
      401,
      "unauthenticated",
    );
  });

  it("refuses to delete or demote the last admin (409)", async () => {
    const admins = (await admin.get("/users")).body.items.filter((u: { role: string }) => u.role === "admin");
    expect(admins.map((u: { id: string }) => u.id)).toEqual([adminId]);
    expectError(await admin.delete(`/users/${adminId}`), 409, "conflict");
    expectError(await admin.patch(`/users/${adminId}`, { role: "user" }), 409, "conflict");
    expect((await admin.get("/auth/me")).body.role).toBe("admin");
  });

  it("refuses to delete a user who owns channels (409) until the channels are gone", async () => {
    const user = await createUser();
    const channel = await createChannel(user.client);
    expectError(await admin.delete(`/users/${user.id}`), 409, "conflict");
    expectStatus(await admin.get(`/users/${user.id}`), 200);
    expectStatus(await user.client.delete(`/channels/${channel.id}`), 204);
    expectStatus(await admin.delete(`/users/${user.id}`), 204);
  });

  it("refuses a duplicate username (409)", async () => {
    const user = await createUser();
    expectError(
      await admin.post("/users", { username: user.username, password: "another-password", role: "admin" }),
      409,
      "conflict",
    );
    expectError(
      await admin.post("/users", { username: "admin", password: "another-password" }),
      409,
      "conflict",
    );
  });
});

describe("features", () => {
  it("are both on by default and an admin switches them", async () => {
    const initial = await admin.get("/features");
    expectStatus(initial, 200);
    expect(initial.body).toEqual({ restreaming: true, srt: true });
    await withFeatures({ srt: false }, async () => {
      expect((await admin.get("/features")).body).toEqual({ restreaming: true, srt: false });
      const both = await admin.put("/features", { restreaming: false });
      expectStatus(both, 200);
      expect(both.body).toEqual({ restreaming: false, srt: false });
    });
    expect((await admin.get("/features")).body).toEqual({ restreaming: true, srt: true });
  });
});

describe("destinations", () => {
  it("creates rtmp, rtmps and srt destinations with Location, kind and a redacted passphrase", async () => {
    const cases = [
      {
        body: { name: "YouTube", url: "rtmp://a.rtmp.youtube.com/live2" },
        url: "rtmp://a.rtmp.youtube.com/live2",
        kind: "rtmp",
        insecureSkipVerify: false,
      },
      {
        body: { name: "Facebook", url: "rtmps://live-api-s.facebook.com:443/rtmp", insecureSkipVerify: true },
        url: "rtmps://live-api-s.facebook.com/rtmp",
        kind: "rtmps",
        insecureSkipVerify: true,
      },
      {
        body: {
          name: "Encoder",
          url: "srt://srt.example.com:9000?latency=200&passphrase=dest-passphrase-xyz",
        },
        url: "srt://srt.example.com:9000?latency=200&passphrase=***",
        kind: "srt",
        insecureSkipVerify: false,
      },
    ];
    for (const { body, url, kind, insecureSkipVerify } of cases) {
      const created = await admin.post("/destinations", body);
      expectStatus(created, 201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^ds_/),
        name: body.name,
        url,
        kind,
        insecureSkipVerify,
        engine: null,
        preset: null,
        usedBy: [],
        createdAt: expect.any(String),
      });
      expect(created.headers.get("location")).toBe(`/api/v1/destinations/${created.body.id}`);
      expect((await admin.get(`/destinations/${created.body.id}`)).body).toEqual(created.body);
    }
    const list = await admin.get("/destinations");
    expectStatus(list, 200);
    expect(list.body.items.map((d: { url: string }) => d.url)).toEqual(
      expect.arrayContaining(cases.map((c) => c.url)),
    );
    expect(list.text).not.toContain("dest-passphrase-xyz");
  });

  it("PATCHes name and url", async () => {
    const destination = await createDestination();
    const patched = await admin.patch(`/destinations/${destination.id}`, {
      name: "Renamed",
      url: "srt://10.0.0.9:9100?passphrase=another-secret-1",
    });
    expectStatus(patched, 200);
    expect(patched.body).toEqual({
      ...destination,
      name: "Renamed",
      url: "srt://10.0.0.9:9100?passphrase=***",
      kind: "srt",
    });
    expect((await admin.get(`/destinations/${destination.id}`)).body).toEqual(patched.body);
  });

  it("accepts insecureSkipVerify only for rtmps (422 otherwise)", async () => {
    for (const url of ["rtmp://h.example.com/live", "srt://h.example.com:9000"]) {
      expectError(
        await admin.post("/destinations", { name: "X", url, insecureSkipVerify: true }),
        422,
        "validation_failed",
        ["insecureSkipVerify"],
      );
    }
    const rtmp = await createDestination("rtmp://h.example.com/live");
    expectError(
      await admin.patch(`/destinations/${rtmp.id}`, { insecureSkipVerify: true }),
      422,
      "validation_failed",
      ["insecureSkipVerify"],
    );
    const rtmps = await createDestination("rtmps://h.example.com/live", { insecureSkipVerify: true });
    expectError(
      await admin.patch(`/destinations/${rtmps.id}`, { url: "rtmp://h.example.com/live" }),
      422,
      "validation_failed",
      ["insecureSkipVerify"],
    );
    expect((await admin.get(`/destinations/${rtmps.id}`)).body.url).toBe("rtmps://h.example.com/live");
  });

  it("lists the restreams that use it, refuses to delete it while used (409), then deletes it (204)", async () => {
    const destination = await createDestination();
    const channel = await createChannel(admin);
    const restream = await createRestream(admin, channel.id, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "used-by-key",
    });
    expect((await admin.get(`/destinations/${destination.id}`)).body.usedBy).toEqual([restream.id]);
    // A user sees only the restreams of their own channels in usedBy, never another user's ids.
    const user = await createUser();
    const own = await createRestream(user.client, (await createChannel(user.client)).id, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "own-key",
    });
    expect((await user.client.get(`/destinations/${destination.id}`)).body.usedBy).toEqual([own.id]);
    const listed = (await user.client.get("/destinations")).body.items.find(
      (item: { id: string }) => item.id === destination.id,
    );
    expect(listed.usedBy).toEqual([own.id]);
    expect((await admin.get(`/destinations/${destination.id}`)).body.usedBy.sort()).toEqual(
      [restream.id, own.id].sort(),
    );
    expectStatus(await user.client.delete(`/restreams/${own.id}`), 204);
    expectError(await admin.delete(`/destinations/${destination.id}`), 409, "conflict");
    expectStatus(await admin.delete(`/restreams/${restream.id}`), 204);
    expect((await admin.get(`/destinations/${destination.id}`)).body.usedBy).toEqual([]);
    expectStatus(await admin.delete(`/destinations/${destination.id}`), 204);
    expectError(await admin.get(`/destinations/${destination.id}`), 404, "not_found");
  });
});

describe("channels", () => {
  it("creates a channel with a stream key and ingest URLs, shown only by create and single GET", async () => {
    const owner = await createUser();
    const created = await owner.client.post("/channels", { name: "Main" });
    expectStatus(created, 201);
    const { streamKey } = created.body;
    expect(streamKey).toMatch(STREAM_KEY);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^ch_/),
      name: "Main",
      ownerId: owner.id,
      srtIngest: false,
      live: false,
      node: null,
      ingest: {
        rtmp: `${node.rtmpBase}/${streamKey}`,
        rtmpServer: node.rtmpBase,
        srt: null,
      },
    });
    expect(created.headers.get("location")).toBe(`/api/v1/channels/${created.body.id}`);
    expect((await owner.client.get(`/channels/${created.body.id}`)).body).toEqual(created.body);

    const list = await owner.client.get("/channels");
    expectStatus(list, 200);
    expect(list.body.items).toHaveLength(1);
    const listed = list.body.items[0];
    expect(listed.id).toBe(created.body.id);
    expect(listed).not.toHaveProperty("streamKey");
    expect(listed).not.toHaveProperty("ingest");
    expect(list.text).not.toContain(streamKey);
  });

  it("gives an SRT ingest URL with a passphrase when srtIngest is on", async () => {
    const created = await createChannel(admin, { srtIngest: true });
    expect(created.srtIngest).toBe(true);
    const [, port, passphrase] = PLAYBACK_URL.exec(created.ingest.srt) ?? [];
    expect(Number(port)).toBeGreaterThanOrEqual(9000);
    expect(Number(port)).toBeLessThanOrEqual(9199);
    expect(passphrase).not.toBe(created.streamKey);
    const list = await admin.get("/channels");
    expect(list.text).not.toContain(passphrase);
    expect(list.body.items.find((c: { id: string }) => c.id === created.id)).toMatchObject({
      srtIngest: true,
    });
  });

  it("PATCHes name and srtIngest", async () => {
    const channel = await createChannel(admin);
    const renamed = await admin.patch(`/channels/${channel.id}`, { name: "Renamed", srtIngest: true });
    expectStatus(renamed, 200);
    expect(renamed.body).toMatchObject({ id: channel.id, name: "Renamed", srtIngest: true });
    expect(renamed.body).not.toHaveProperty("streamKey");
    const withSrt = (await admin.get(`/channels/${channel.id}`)).body;
    expect(withSrt.ingest.srt).toMatch(PLAYBACK_URL);
    expect(withSrt.streamKey).toBe(channel.streamKey);

    expectStatus(await admin.patch(`/channels/${channel.id}`, { srtIngest: false }), 200);
    const without = (await admin.get(`/channels/${channel.id}`)).body;
    expect(without).toMatchObject({ name: "Renamed", srtIngest: false, ingest: { srt: null } });
  });

  it("POST /channels/:id/stream-key replaces the stream key and the SRT passphrase", async () => {
    const channel = await createChannel(admin, { srtIngest: true });
    const reset = await admin.post(`/channels/${channel.id}/stream-key`);
    expectStatus(reset, 200);
    expect(reset.body.streamKey).toMatch(STREAM_KEY);
    expect(reset.body.streamKey).not.toBe(channel.streamKey);
    expect(reset.body.ingest.rtmp).toBe(`${node.rtmpBase}/${reset.body.streamKey}`);
    const [, oldPort, oldPassphrase] = PLAYBACK_URL.exec(channel.ingest.srt) ?? [];
    const [, newPort, newPassphrase] = PLAYBACK_URL.exec(reset.body.ingest.srt) ?? [];
    expect(newPort).toBe(oldPort);
    expect(newPassphrase).toBeDefined();
    expect(newPassphrase).not.toBe(oldPassphrase);
    expect((await admin.get(`/channels/${channel.id}`)).body).toEqual(reset.body);
  });

  it("DELETE removes the channel and its restreams", async () => {
    const channel = await createChannel(admin);
    const destination = await createDestination();
    const restreams = [
      await createRestream(admin, channel.id, {
        kind: "destination",
        destinationId: destination.id,
        streamKey: "k",
      }),
      await createRestream(admin, channel.id, { kind: "remote_playback" }),
    ];
    expectStatus(await admin.delete(`/channels/${channel.id}`), 204);
    expectError(await admin.get(`/channels/${channel.id}`), 404, "not_found");
    expectError(await admin.get(`/channels/${channel.id}/restreams`), 404, "not_found");
    for (const restream of restreams)
      expectError(await admin.get(`/restreams/${restream.id}`), 404, "not_found");
    expect((await admin.get(`/destinations/${destination.id}`)).body.usedBy).toEqual([]);
  });
});

describe("restreams", () => {
  let channelId: string;
  let destination: { id: string; name: string };

  beforeAll(async () => {
    channelId = (await createChannel(admin)).id;
    destination = await createDestination("rtmp://live.example.com/app");
  });

  it("creates a destination restream: stopped, default name, stream key never shown", async () => {
    const response = await admin.post(`/channels/${channelId}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "write-only-key-1",
    });
    expectStatus(response, 201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^rs_/),
      channelId,
      kind: "destination",
      name: destination.name,
      destinationId: destination.id,
      url: null,
      playbackUrl: null,
      state: "stopped",
      error: null,
      node: null,
      stats: IDLE_STATS,
      holding: false,
      output: { video: "copy", audio: "copy" },
      maxCallers: null,
      onSourceLoss: "wait",
      slateSeconds: 300,
      warnings: [],
      schedule: null,
      revision: 1,
      createdAt: expect.any(String),
    });
    expect(response.headers.get("location")).toBe(`/api/v1/restreams/${response.body.id}`);
    expect((await admin.get(`/restreams/${response.body.id}`)).body).toEqual(response.body);
  });

  it("creates an SRT Push with its passphrase redacted", async () => {
    const restream = await createRestream(admin, channelId, {
      kind: "srt_push",
      url: "srt://push.example.com:9001?passphrase=push-passphrase-1",
      name: "To the truck",
    });
    expect(restream).toMatchObject({
      kind: "srt_push",
      name: "To the truck",
      destinationId: null,
      url: "srt://push.example.com:9001?passphrase=***",
      playbackUrl: null,
      state: "stopped",
    });
    const named = await createRestream(admin, channelId, {
      kind: "srt_push",
      url: "srt://push.example.com:9002",
    });
    expect(named.name).toBe("SRT Push");
  });

  it("creates a Remote Playback: its passphrase in create and GET, *** in lists", async () => {
    const restream = await createRestream(admin, channelId, { kind: "remote_playback" });
    expect(restream).toMatchObject({
      kind: "remote_playback",
      name: "Remote Playback",
      url: null,
      state: "stopped",
      maxCallers: 4,
    });
    const [, port, passphrase] = PLAYBACK_URL.exec(restream.playbackUrl) ?? [];
    expect(Number(port)).toBeGreaterThanOrEqual(9000);
    expect(Number(port)).toBeLessThanOrEqual(9199);
    expect((await admin.get(`/restreams/${restream.id}`)).body.playbackUrl).toBe(restream.playbackUrl);
    const list = await admin.get(`/channels/${channelId}/restreams`);
    expectStatus(list, 200);
    expect(list.body.items.find((r: { id: string }) => r.id === restream.id).playbackUrl).toBe(
      `srt://127.0.0.1:${port}?passphrase=***`,
    );
    expect(list.text).not.toContain(passphrase);
  });

  it("starts (awaiting_stream without a media plane) and stops", async () => {
    const restream = await createRestream(admin, channelId, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "start-stop-key",
    });
    const started = await admin.post(`/restreams/${restream.id}/start`);
    expectStatus(started, 200);
    expect(started.body).toMatchObject({ id: restream.id, state: "awaiting_stream", error: null });
    expect((await admin.get(`/restreams/${restream.id}`)).body.state).toBe("awaiting_stream");
    const listed = (await admin.get(`/channels/${channelId}/restreams`)).body.items;
    expect(listed.find((r: { id: string }) => r.id === restream.id).state).toBe("awaiting_stream");
    const stopped = await admin.post(`/restreams/${restream.id}/stop`);
    expectStatus(stopped, 200);
    expect(stopped.body.state).toBe("stopped");
    expect((await admin.get(`/restreams/${restream.id}`)).body.state).toBe("stopped");
  });

  it("PATCHes name and stream key; refuses fields of another kind (422)", async () => {
    const restream = await createRestream(admin, channelId, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "old-key",
    });
    const patched = await admin.patch(`/restreams/${restream.id}`, {
      name: "Renamed",
      streamKey: "new-key-42",
    });
    expectStatus(patched, 200);
    expect(patched.body).toEqual({ ...restream, name: "Renamed", revision: restream.revision + 1 });
    expect(patched.text).not.toContain("new-key-42");
    expectError(
      await admin.patch(`/restreams/${restream.id}`, { url: "srt://push.example.com:9001" }),
      422,
      "validation_failed",
      ["url"],
    );
    expectError(
      await admin.patch(`/restreams/${restream.id}`, { destinationId: "ds_doesNotExist" }),
      422,
      "validation_failed",
      ["destinationId"],
    );
    // Refused changes write nothing: the revision is the rename's.
    expect((await admin.get(`/restreams/${restream.id}`)).body).toMatchObject({
      name: "Renamed",
      revision: restream.revision + 1,
    });
  });

  it("refuses an unknown destinationId on create with a name (422 fields.destinationId)", async () => {
    const body = { kind: "destination", destinationId: "ds_doesNotExist", streamKey: "k", name: "Named" };
    const response = await admin.post(`/channels/${channelId}/restreams`, body);
    expectError(response, 422, "validation_failed", ["destinationId"]);
  });

  it("refuses an unknown destinationId on create without a name (422 fields.destinationId)", async () => {
    const body = { kind: "destination", destinationId: "ds_doesNotExist", streamKey: "k" };
    const response = await admin.post(`/channels/${channelId}/restreams`, body);
    expectError(response, 422, "validation_failed", ["destinationId"]);
  });

  it("answers logs with no lines, and DELETE removes it", async () => {
    const restream = await createRestream(admin, channelId, { kind: "remote_playback" });
    const logs = await admin.get(`/restreams/${restream.id}/logs`);
    expectStatus(logs, 200);
    expect(logs.body).toEqual({ lines: [] });
    expectStatus(await admin.delete(`/restreams/${restream.id}`), 204);
    expectError(await admin.get(`/restreams/${restream.id}`), 404, "not_found");
    const ids = (await admin.get(`/channels/${channelId}/restreams`)).body.items.map(
      (r: { id: string }) => r.id,
    );
    expect(ids).not.toContain(restream.id);
  });
});

describe("feature switches and restreams", () => {
  it("restreaming off stops started restreams and refuses start and create (403 feature_disabled)", async () => {
    const channel = await createChannel(admin);
    const destination = await createDestination();
    const body = { kind: "destination", destinationId: destination.id, streamKey: "feature-key" };
    const restream = await createRestream(admin, channel.id, body);
    expect((await admin.post(`/restreams/${restream.id}/start`)).body.state).toBe("awaiting_stream");

    await withFeatures({ restreaming: false }, async () => {
      expect((await admin.get(`/restreams/${restream.id}`)).body.state).toBe("stopped");
      expect((await admin.get(`/channels/${channel.id}/restreams`)).body.items[0].state).toBe("stopped");
      expectError(await admin.post(`/restreams/${restream.id}/start`), 403, "feature_disabled");
      expectError(await admin.post(`/channels/${channel.id}/restreams`, body), 403, "feature_disabled");
      expectError(
        await admin.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" }),
        403,
        "feature_disabled",
      );
    });
    // Turning it off stopped the restream: turning it back on does not start it again.
    expect((await admin.get(`/restreams/${restream.id}`)).body.state).toBe("stopped");
    expect((await admin.get(`/channels/${channel.id}/restreams`)).body.items).toHaveLength(1);
  });

  it("srt off refuses SRT Push, Remote Playback and SRT destinations but not RTMP", async () => {
    const channel = await createChannel(admin);
    const srtDestination = await createDestination("srt://srt.example.com:9000");
    const rtmpDestination = await createDestination("rtmp://rtmp.example.com/live");
    const playback = await createRestream(admin, channel.id, { kind: "remote_playback" });
    expectStatus(await admin.post(`/restreams/${playback.id}/start`), 200);

    await withFeatures({ srt: false }, async () => {
      expect((await admin.get(`/restreams/${playback.id}`)).body.state).toBe("stopped");
      expectError(await admin.post(`/restreams/${playback.id}/start`), 403, "feature_disabled");
      for (const body of [
        { kind: "srt_push", url: "srt://push.example.com:9001" },
        { kind: "remote_playback" },
        { kind: "destination", destinationId: srtDestination.id, streamKey: "k" },
      ]) {
        expectError(await admin.post(`/channels/${channel.id}/restreams`, body), 403, "feature_disabled");
      }
      const rtmp = await createRestream(admin, channel.id, {
        kind: "destination",
        destinationId: rtmpDestination.id,
        streamKey: "k",
      });
      expect((await admin.post(`/restreams/${rtmp.id}/start`)).body.state).toBe("awaiting_stream");
    });
    expect((await admin.get(`/channels/${channel.id}/restreams`)).body.items).toHaveLength(2);
  });
});

describe("nodes, OpenAPI and sessions", () => {
  it("GET /nodes lists this one node", async () => {
    const response = await admin.get("/nodes");
    expectStatus(response, 200);
    expect(response.body.items).toHaveLength(1);
    expect(response.body.items[0]).toMatchObject({
      id: "test-node",
      address: "127.0.0.1",
      uptimeSeconds: expect.any(Number),
      actors: { restream: expect.any(Number), playback: expect.any(Number), chain: expect.any(Number) },
      maxRestreams: expect.any(Number),
      load: expect.any(Number),
    });
  });

  it("GET /api/v1/openapi.json documents every route with its method", async () => {
    const response = await api.request("GET", "/api/v1/openapi.json");
    expectStatus(response, 200);
    expect(response.body.openapi).toBe("3.1.0");
    const documented = Object.entries(response.body.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const expected = API_ROUTES.map((r) => `${r.method} /api/v1${r.path.replace(/:([A-Za-z]+)/g, "{$1}")}`);
    expect(documented.sort()).toEqual(expected.sort());
  });

  it("logout revokes the token and clears the cookie", async () => {
    const session = await api.login("admin", ADMIN_PASSWORD);
    expectStatus(await session.get("/auth/me"), 200);
    const logout = await session.post("/auth/logout");
    expectStatus(logout, 204);
    expect(logout.headers.getSetCookie()).toEqual([
      expect.stringMatching(/^streamwell_session=;(?=.*HttpOnly)(?=.*Max-Age=0)/),
    ]);
    expectError(await session.get("/auth/me"), 401, "unauthenticated");
    expectError(await session.post("/auth/logout"), 401, "unauthenticated");
    expectStatus(await admin.get("/auth/me"), 200); // other sessions live on
  });

  it("the session cookie from login works instead of the bearer header", async () => {
    const login = await api.post("/auth/login", { username: "admin", password: ADMIN_PASSWORD });
    expectStatus(login, 200);
    const cookie = login.headers.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(/^streamwell_session=[A-Za-z0-9_-]+;(?=.*HttpOnly)(?=.*SameSite=Strict)/);
    const pair = cookie.split(";")[0] ?? "";
    expect(pair).toBe(`streamwell_session=${login.body.token}`);
    const withCookie = { headers: { cookie: `other=1; ${pair}`, origin: new URL(api.baseUrl).origin } };

    const me = await api.request("GET", "/api/v1/auth/me", undefined, withCookie);
    expectStatus(me, 200);
    expect(me.body).toEqual({ id: adminId, username: "admin", role: "admin" });
    expectStatus(await api.request("POST", "/api/v1/channels", { name: "Cookie channel" }, withCookie), 201);
    expectStatus(await api.request("POST", "/api/v1/auth/logout", undefined, withCookie), 204);
    expectError(await api.request("GET", "/api/v1/auth/me", undefined, withCookie), 401, "unauthenticated");
  });
});
