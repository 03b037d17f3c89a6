// Start or stop every restream of a channel in one call: what changes, what a feature switch keeps
// off (named in `skipped`, the others still start), and who may do it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import type { NodeProcess } from "../support/node-process.js";
import { type NodeWithAdmin, startNodeWithAdmin } from "../support/node-with-admin.js";

let node: NodeProcess;
let admin: ApiClient;
let setup: NodeWithAdmin | undefined;

beforeAll(async () => {
  setup = await startNodeWithAdmin();
  ({ node, admin } = setup);
}, 30_000);

afterAll(async () => {
  await setup?.stop();
});

async function channelWithRestreams(): Promise<{ channelId: string; ids: string[] }> {
  const channelId = (await admin.post("/channels", { name: "Bulk" })).body.id as string;
  const destination = await admin.post("/destinations", { name: "Bulk dest", url: "rtmp://a.example/live" });
  const bodies = [
    { kind: "destination", destinationId: destination.body.id, streamKey: "bulk-key-1" },
    { kind: "destination", destinationId: destination.body.id, streamKey: "bulk-key-2" },
    { kind: "srt_push", url: "srt://push.example:9001" },
  ];
  const ids: string[] = [];
  for (const body of bodies) {
    const created = await admin.post(`/channels/${channelId}/restreams`, body);
    expect(created.status, created.text).toBe(201);
    ids.push(created.body.id);
  }
  return { channelId, ids };
}

const states = async (channelId: string) =>
  ((await admin.get(`/channels/${channelId}/restreams`)).body.items as { state: string }[]).map(
    (restream) => restream.state,
  );

describe("bulk start and stop", () => {
  it("starts every restream of the channel in one call, then stops them all", async () => {
    const { channelId, ids } = await channelWithRestreams();
    const started = await admin.post(`/channels/${channelId}/restreams/start`);
    expect(started.status, started.text).toBe(200);
    expect(started.body.skipped).toEqual([]);
    expect(started.body.items.map((r: { id: string }) => r.id)).toEqual(ids);
    expect(started.body.items.map((r: { state: string }) => r.state)).toEqual(
      Array(3).fill("awaiting_stream"),
    );
    expect(await states(channelId)).toEqual(Array(3).fill("awaiting_stream"));

    const stopped = await admin.post(`/channels/${channelId}/restreams/stop`);
    expect(stopped.status, stopped.text).toBe(200);
    expect(await states(channelId)).toEqual(Array(3).fill("stopped"));
  });

  it("leaves a restream whose feature is off stopped and names it; the others start", async () => {
    const { channelId, ids } = await channelWithRestreams();
    expect((await admin.put("/features", { srt: false })).status).toBe(200);
    try {
      const started = await admin.post(`/channels/${channelId}/restreams/start`);
      expect(started.status, started.text).toBe(200);
      expect(started.body.skipped).toEqual([
        { id: ids[2], code: "feature_disabled", message: expect.stringContaining("srt") },
      ]);
      expect(await states(channelId)).toEqual(["awaiting_stream", "awaiting_stream", "stopped"]);
    } finally {
      await admin.put("/features", { srt: true });
    }
  });

  it("answers 403 to a user who does not own the channel and 404 for an unknown channel", async () => {
    const { channelId } = await channelWithRestreams();
    await admin.post("/users", { username: "bulk-user", password: "bulk-user-password", role: "user" });
    const user = await new ApiClient(node.baseUrl).login("bulk-user", "bulk-user-password");
    const refused = await user.post(`/channels/${channelId}/restreams/start`);
    expect(refused.status, refused.text).toBe(403);
    expect(await states(channelId)).toEqual(Array(3).fill("stopped"));
    const missing = await admin.post("/channels/ch_missing/restreams/stop");
    expect(missing.status, missing.text).toBe(404);
  });
});
