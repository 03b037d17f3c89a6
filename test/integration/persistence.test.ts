// What users created survives the node being SIGKILLed: the same data dir, a new process.
import { afterAll, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";

const dataDir = tempDataDir();
let node: NodeProcess | undefined;

afterAll(async () => {
  await node?.stop("SIGKILL");
  removeDataDir(dataDir);
});

it("keeps users, destinations, channels, restreams and their desired state across a SIGKILL", async () => {
  node = await startNode({ dataDir });
  const admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
  await admin.post("/users", { username: "alice", password: "alice-password", role: "user" });
  const destination = (await admin.post("/destinations", { name: "Sink", url: "rtmp://127.0.0.1:1935/live" }))
    .body;
  const channel = (await admin.post("/channels", { name: "Main", srtIngest: true })).body;
  const started = (
    await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "dest-key",
    })
  ).body;
  const playback = (await admin.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback" })).body;
  expect((await admin.post(`/restreams/${started.id}/start`)).body.state).toBe("awaiting_stream");
  await admin.put("/features", { srt: false });

  await node.stop("SIGKILL");
  node = await startNode({ dataDir });
  const api = new ApiClient(node.baseUrl);

  // The old session token is still valid: sessions are stored, not kept in memory.
  const again = api.withToken(admin.token);
  expect((await again.get("/auth/me")).body.username).toBe("admin");
  expect((await (await api.login("alice", "alice-password")).get("/auth/me")).body.role).toBe("user");
  expect((await again.get("/features")).body).toEqual({ restreaming: true, srt: false });
  expect((await again.get(`/destinations/${destination.id}`)).body.usedBy).toEqual([started.id]);

  const channelAfter = (await again.get(`/channels/${channel.id}`)).body;
  expect(channelAfter.streamKey).toBe(channel.streamKey);
  expect(channelAfter.ingest.srt).toBe(channel.ingest.srt);

  const restreams = (await again.get(`/channels/${channel.id}/restreams`)).body.items;
  expect(restreams.map((r: { id: string; state: string }) => [r.id, r.state])).toEqual([
    [started.id, "awaiting_stream"],
    [playback.id, "stopped"], // needs SRT, which is off
  ]);
  expect((await again.get(`/restreams/${playback.id}`)).body.playbackUrl).toBe(playback.playbackUrl);
});
