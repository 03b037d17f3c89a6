// Webhooks on one node, end to end: a receiver on loopback gets restream.state for Error (a key
// nginx-rtmp refuses) and Streaming, each signed with HMAC-SHA256 of the raw body (checked here
// with the secret); a receiver that answers 500 twice gets the third attempt, and the delivery
// log shows all three; bad URLs are refused, secrets never listed, and users see nothing.
import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import type { NginxRtmp } from "../support/nginx-rtmp.js";
import type { NodeProcess } from "../support/node-process.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { RestreamApi } from "../support/restreams.js";
import { waitFor } from "../support/wait.js";
import { type Received, startReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";

const SECRET = "a-webhook-secret-for-tests";
const GOOD_KEY = "webhook-good-key";

let nginx: NginxRtmp;
let node: NodeProcess;
let admin: ApiClient;
let setup: NodeWithNginx | undefined;
const receivers: WebhookReceiver[] = [];
const api = new RestreamApi(() => ({ admin, rtmpBase: node.rtmpBase }));

beforeAll(async () => {
  setup = await startNodeWithNginx({
    nginx: { applications: [{ name: "live", allowKeys: [GOOD_KEY] }] },
    node: { env: { STREAMWELL_WEBHOOK_RETRY_BASE_MS: "100" } },
  });
  ({ nginx, node, admin } = setup);
}, 30_000);

afterAll(async () => {
  await api.stopPublishers();
  await setup?.stop();
  for (const receiver of receivers) await receiver.close();
});

/** The signature is HMAC-SHA256 of the raw body with the secret, as a receiver checks it. */
function validlySigned(message: Received, secret = SECRET): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(message.body).digest("hex")}`);
  const given = Buffer.from(message.signature ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function webhook(url: string, events: string[]): Promise<string> {
  const response = await admin.post("/webhooks", { url, events, secret: SECRET });
  expect(response.status, response.text).toBe(201);
  expect(response.text).not.toContain(SECRET);
  return response.body.id;
}

it("delivers restream.state for Error and Streaming, signed with the secret", async () => {
  const receiver = await startReceiver();
  receivers.push(receiver);
  await webhook(receiver.url, ["restream.state"]);
  const destinationId = await api.createDestination("Hooked", nginx.url("live"));
  const channel = await api.liveChannel("Hooked");
  const id = await api.startRestream(channel.id, destinationId, "refused-key");
  await api.waitForState(id, "error");
  await admin.patch(`/restreams/${id}`, { streamKey: GOOD_KEY });
  await api.waitForState(id, "streaming");
  const states = () =>
    receiver.received.filter((m) => m.json.data.restreamId === id).map((m) => m.json.data.state);
  await waitFor(
    "error and streaming delivered",
    () => states().includes("error") && states().includes("streaming"),
  );
  for (const message of receiver.received) {
    expect(validlySigned(message)).toBe(true);
    expect(message.json.event).toBe("restream.state");
    expect(message.body).not.toContain("refused-key");
    expect(message.body).not.toContain(GOOD_KEY);
  }
  const error = receiver.received.find((m) => m.json.data.state === "error");
  expect(error?.json.data).toMatchObject({
    restreamId: id,
    channelId: channel.id,
    error: { code: "destination_rejected" },
    node: "test-node",
  });
  await api.stopRestreams();
}, 60_000);

it("retries: a receiver that answers 500 twice gets the third attempt, and the log shows all three", async () => {
  const receiver = await startReceiver([500, 500]);
  receivers.push(receiver);
  const id = await webhook(receiver.url, ["channel.live"]);
  expect((await admin.post(`/webhooks/${id}/test`)).status).toBe(200);
  await waitFor("three attempts", () => receiver.received.length === 3, 10_000);
  expect(receiver.received.every((message) => validlySigned(message))).toBe(true);
  expect(new Set(receiver.received.map((m) => m.body)).size).toBe(1);
  const log = await waitFor("three attempts logged", async () => {
    const items = (await admin.get(`/webhooks/${id}/deliveries`)).body.items;
    return items.length === 3 ? items : undefined;
  });
  expect(
    log.map((d: { status: number; attempt: number; ok: boolean }) => [d.attempt, d.status, d.ok]),
  ).toEqual([
    [3, 200, true],
    [2, 500, false],
    [1, 500, false],
  ]);
});

it("an edit moves the next delivery to the new URL, signed with the new secret", async () => {
  const [before, after] = [await startReceiver(), await startReceiver()];
  receivers.push(before, after);
  const id = await webhook(before.url, ["channel.live"]);
  const newSecret = "the-webhook-secret-after-the-edit";
  const refused = await admin.patch(`/webhooks/${id}`, { url: "file:///etc/passwd", secret: "short" });
  expect(refused.status, refused.text).toBe(422);
  expect(Object.keys(refused.body.error.fields).sort()).toEqual(["secret", "url"]);
  const edited = await admin.patch(`/webhooks/${id}`, { url: after.url, secret: newSecret });
  expect(edited.status, edited.text).toBe(200);
  expect(edited.body).toMatchObject({ id, url: after.url, events: ["channel.live"] });
  expect(edited.text).not.toContain(newSecret);
  expect((await admin.post(`/webhooks/${id}/test`)).status).toBe(200);
  await waitFor("the test event at the new URL", () => after.received.length === 1);
  const [message] = after.received as [Received];
  expect(validlySigned(message, newSecret)).toBe(true);
  expect(message.json).toMatchObject({ event: "test", data: { webhookId: id } });
  expect(before.received).toEqual([]);
  expect((await admin.patch("/webhooks/wh_missing", { events: ["channel.live"] })).status).toBe(404);
});

it("refuses URLs that are not http(s), never lists a secret, and is for admins only", async () => {
  const bad = await admin.post("/webhooks", {
    url: "ftp://127.0.0.1/x",
    events: ["channel.live"],
    secret: SECRET,
  });
  expect(bad.status, bad.text).toBe(422);
  expect(Object.keys(bad.body.error.fields)).toEqual(["url"]);
  const list = await admin.get("/webhooks");
  expect(list.status).toBe(200);
  expect(list.body.items.length).toBeGreaterThan(0);
  expect(list.text).not.toContain(SECRET);
  await admin.post("/users", { username: "hook-user", password: "hook-user-password", role: "user" });
  const user = await new ApiClient(node.baseUrl).login("hook-user", "hook-user-password");
  expect((await user.get("/webhooks")).status).toBe(403);
  const id = list.body.items[0].id;
  expect((await admin.delete(`/webhooks/${id}`)).status).toBe(204);
  expect((await admin.get(`/webhooks/${id}/deliveries`)).status).toBe(404);
});
