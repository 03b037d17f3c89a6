// Server-sent events: a logged-in user receives restream and channel changes as they happen,
// with the same JSON as the list GETs and without secrets; others receive nothing of it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import { waitFor } from "../support/wait.js";

let node: NodeProcess;
let admin: ApiClient;

beforeAll(async () => {
  node = await startNode({ dataDir: tempDataDir() });
  admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
});

afterAll(async () => {
  await node?.stop();
  if (node) removeDataDir(node.dataDir);
});

interface Received {
  events: { event: string; data: any }[];
  close(): void;
}

/** Opens GET /api/v1/events with a session cookie (as a browser's EventSource would) and collects events. */
async function listen(token: string): Promise<Received> {
  const controller = new AbortController();
  const response = await fetch(`${node.baseUrl}/api/v1/events`, {
    headers: { cookie: `streamwell_session=${token}` },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/event-stream");
  const received: Received = { events: [], close: () => controller.abort() };
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) received.events.push({ event, data: JSON.parse(data) });
        end = buffer.indexOf("\n\n");
      }
    }
  })();
  return received;
}

it("refuses an anonymous listener", async () => {
  const response = await fetch(`${node.baseUrl}/api/v1/events`);
  expect(response.status).toBe(401);
  expect(((await response.json()) as any).error.code).toBe("unauthenticated");
});

it("pushes restream changes to their owner and not to another user", async () => {
  await admin.post("/users", { username: "owner", password: "owner-password", role: "user" });
  await admin.post("/users", { username: "other", password: "other-password", role: "user" });
  const owner = await new ApiClient(node.baseUrl).login("owner", "owner-password");
  const other = await new ApiClient(node.baseUrl).login("other", "other-password");
  const ownerEvents = await listen(owner.token as string);
  const otherEvents = await listen(other.token as string);
  try {
    const channel = (await owner.post("/channels", { name: "Watched" })).body;
    const restream = (await owner.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" }))
      .body;
    await owner.post(`/restreams/${restream.id}/start`);

    const started = await waitFor("a restream event in awaiting_stream", () =>
      ownerEvents.events.find((e) => e.event === "restream" && e.data.state === "awaiting_stream"),
    );
    expect(started.data).toMatchObject({ id: restream.id, channelId: channel.id, kind: "remote_playback" });
    expect(started.data.playbackUrl).toContain("passphrase=***");
    expect(ownerEvents.events.some((e) => e.event === "channel" && e.data.id === channel.id)).toBe(true);
    expect(JSON.stringify(ownerEvents.events)).not.toContain(channel.streamKey);
    expect(otherEvents.events.filter((e) => e.data.id === restream.id || e.data.id === channel.id)).toEqual(
      [],
    );
  } finally {
    ownerEvents.close();
    otherEvents.close();
  }
});
