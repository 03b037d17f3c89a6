// What one user may take and where SRT Push may send, against a real node: quotas on channels,
// restreams and SRT ports (defaults from the config, raised by an admin; admins have none), and
// SRT Push targets that are, or resolve to, loopback, private or metadata addresses refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, type ApiResponse } from "../support/api-client.js";
import type { NodeProcess } from "../support/node-process.js";
import { type NodeWithAdmin, startNodeWithAdmin } from "../support/node-with-admin.js";

let node: NodeProcess;
let admin: ApiClient;
let user: ApiClient;
let userId: string;
let setup: NodeWithAdmin | undefined;

beforeAll(async () => {
  setup = await startNodeWithAdmin({
    env: { STREAMWELL_QUOTA_CHANNELS: "2", STREAMWELL_QUOTA_RESTREAMS: "2", STREAMWELL_QUOTA_SRT_PORTS: "1" },
  });
  ({ node, admin } = setup);
  const api = new ApiClient(node.baseUrl);
  const made = await admin.post("/users", {
    username: "limited",
    password: "limited-password",
    role: "user",
  });
  userId = made.body.id;
  expect(made.body.quotas).toEqual({ channels: 2, restreams: 2, srtPorts: 1 });
  user = await api.login("limited", "limited-password");
}, 30_000);

afterAll(async () => {
  await setup?.stop();
});

function expectQuota(response: ApiResponse, what: RegExp): void {
  expect(response.status, response.text).toBe(403);
  expect(response.body.error.code).toBe("forbidden");
  expect(response.body.error.message).toMatch(what);
}

describe("quotas", () => {
  it("channels, restreams and SRT ports stop at the user's quota; an admin raises it; admins have none", async () => {
    const first = (await user.post("/channels", { name: "One", srtIngest: true })).body;
    expectQuota(await user.post("/channels", { name: "Two", srtIngest: true }), /at most 1 SRT ports/);
    expect((await user.post("/channels", { name: "Two" })).status).toBe(201);
    expectQuota(await user.post("/channels", { name: "Three" }), /at most 2 channels/);

    expectQuota(await user.post(`/channels/${first.id}/restreams`, { kind: "remote_playback" }), /SRT ports/);
    const push = { kind: "srt_push", url: "srt://203.0.113.7:9000" };
    expect((await user.post(`/channels/${first.id}/restreams`, push)).status).toBe(201);
    expect((await user.post(`/channels/${first.id}/restreams`, push)).status).toBe(201);
    expectQuota(await user.post(`/channels/${first.id}/restreams`, push), /at most 2 restreams/);
    // An admin adding to the user's channel counts against the owner too.
    expectQuota(await admin.post(`/channels/${first.id}/restreams`, push), /at most 2 restreams/);
    expect((await user.get("/channels")).body.items).toHaveLength(2);

    expect((await user.patch(`/users/${userId}`, { quotas: { channels: 5 } })).status).toBe(403);
    const raised = await admin.patch(`/users/${userId}`, { quotas: { channels: 3, srtPorts: 0 } });
    expect(raised.body.quotas, raised.text).toEqual({ channels: 3, restreams: 2, srtPorts: 0 });
    expect((await user.post("/channels", { name: "Three", srtIngest: true })).status).toBe(201);
    const back = await admin.patch(`/users/${userId}`, { quotas: { srtPorts: null } });
    expect(back.body.quotas).toEqual({ channels: 3, restreams: 2, srtPorts: 1 });

    for (let i = 0; i < 3; i += 1)
      expect((await admin.post("/channels", { name: `Admin ${i}` })).status).toBe(201);
  });
});

describe("SRT Push targets", () => {
  let channelId: string;
  beforeAll(async () => {
    channelId = (await admin.post("/channels", { name: "Push source" })).body.id;
  });

  it.each([
    "srt://127.0.0.1:9000",
    "srt://localhost:9000",
    "srt://169.254.169.254:80",
    "srt://10.0.0.8:9000",
    "srt://192.168.1.1:9000",
    "srt://172.20.0.1:9000",
    "srt://[::1]:9000",
    "srt://[fe80::1]:9000",
  ])("%s is refused (422 on url) and nothing is made", async (url) => {
    const before = (await admin.get(`/channels/${channelId}/restreams`)).body.items.length;
    const response = await admin.post(`/channels/${channelId}/restreams`, { kind: "srt_push", url });
    expect(response.status, response.text).toBe(422);
    expect(response.body.error.fields.url).toMatch(/loopback, private, link-local or reserved/);
    expect((await admin.get(`/channels/${channelId}/restreams`)).body.items).toHaveLength(before);
  });

  it("a public target is made, and cannot be moved to a refused one", async () => {
    const made = await admin.post(`/channels/${channelId}/restreams`, {
      kind: "srt_push",
      url: "srt://203.0.113.7:9000",
    });
    expect(made.status).toBe(201);
    const moved = await admin.patch(`/restreams/${made.body.id}`, { url: "srt://127.0.0.1:9000" });
    expect(moved.status).toBe(422);
    expect((await admin.get(`/restreams/${made.body.id}`)).body.url).toBe("srt://203.0.113.7:9000");
  });
});
