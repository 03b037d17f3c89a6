// Platform presets: listed, a destination made from one (Kick's /app/ path rule held), and a
// restream's warnings computed live from its channel's stream: a 10 s keyframe interval warns on a
// YouTube restream, and the warning goes once the publisher comes back with a 2 s one. The
// restream is never started: nothing leaves loopback.
import { afterAll, beforeAll, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import { type MediaProcess, publishEncoded } from "../support/media.js";
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
const dataDir = tempDataDir();
const publishers: MediaProcess[] = [];

beforeAll(async () => {
  node = await startNode({ dataDir });
  admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
}, 60_000);

afterAll(async () => {
  await Promise.all(publishers.map((p) => p.stop()));
  await node?.stop();
  removeDataDir(dataDir);
});

/** A live-encoded publisher with a keyframe every `gopSeconds`, AAC 128k (stopped after the tests). */
function publishWithGop(url: string, gopSeconds: number): MediaProcess {
  const publisher = publishEncoded(url, { gopSeconds });
  publishers.push(publisher);
  return publisher;
}

it("lists the presets, each with its rules", async () => {
  const response = await admin.get("/presets");
  expect(response.status).toBe(200);
  const ids = response.body.items.map((preset: { id: string }) => preset.id);
  expect(ids).toEqual(
    expect.arrayContaining(["youtube", "youtube-rtmps", "twitch", "facebook", "kick", "x", "linkedin"]),
  );
  const kick = response.body.items.find((preset: { id: string }) => preset.id === "kick");
  expect(kick).toMatchObject({ protocol: "rtmps", requiredApp: "app", keyframeSeconds: 2 });
  expect(kick.url).toMatch(/^rtmps:\/\/.+\/app$/);
});

it("makes a destination from a preset, and holds Kick's /app/ rule", async () => {
  const youtube = await admin.post("/destinations", { name: "YouTube", preset: "youtube" });
  expect(youtube.status).toBe(201);
  expect(youtube.body).toMatchObject({
    url: "rtmp://a.rtmp.youtube.com/live2",
    kind: "rtmp",
    preset: "youtube",
  });

  const kickElsewhere = await admin.post("/destinations", {
    name: "Kick, wrong path",
    preset: "kick",
    url: "rtmps://fa723fc1b171.global-contribute.live-video.net/live",
  });
  expect(kickElsewhere.status).toBe(422);
  expect(kickElsewhere.body.error.fields.url).toMatch(/\/app\//);
  const kick = await admin.post("/destinations", { name: "Kick", preset: "kick" });
  expect(kick.status).toBe(201);
  expect(kick.body.kind).toBe("rtmps");
  // Moving a Kick destination off /app/ later is refused too.
  const moved = await admin.patch(`/destinations/${kick.body.id}`, { url: "rtmps://example.com/other" });
  expect(moved.status).toBe(422);

  const linkedin = await admin.post("/destinations", { name: "LinkedIn", preset: "linkedin" });
  expect(linkedin.status).toBe(422);
  expect(linkedin.body.error.fields.url).toMatch(/URL/);
  const neither = await admin.post("/destinations", { name: "nothing" });
  expect(neither.status).toBe(422);
});

it("warns about a 10 s keyframe interval on a YouTube restream, and stops when the stream has 2 s", async () => {
  const channel = (await admin.post("/channels", { name: "long GOP" })).body;
  const destination = (await admin.post("/destinations", { name: "YT", preset: "youtube" })).body;
  const restream = (
    await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "never-used",
    })
  ).body;
  expect(restream.warnings).toEqual([]);

  const warningsOf = async () =>
    (await admin.get(`/restreams/${restream.id}`)).body.warnings as { code: string }[];
  const longGop = publishWithGop(channel.ingest.rtmp, 10);
  const warned = await waitFor(
    "a keyframe_interval warning",
    async () => {
      const warnings = await warningsOf();
      return warnings.some((w) => w.code === "keyframe_interval") ? warnings : undefined;
    },
    45_000,
    500,
  );
  expect(warned.find((w) => w.code === "keyframe_interval")).toMatchObject({
    message: expect.stringMatching(/10 s/),
  });
  // The list shows it too.
  const listed = (await admin.get(`/channels/${channel.id}/restreams`)).body.items[0];
  expect(listed.warnings.map((w: { code: string }) => w.code)).toContain("keyframe_interval");

  await longGop.stop();
  await waitFor("offline", async () => !(await admin.get(`/channels/${channel.id}`)).body.live, 20_000);
  publishWithGop(channel.ingest.rtmp, 2);
  await waitFor(
    "the warning to go",
    async () => {
      const live = (await admin.get(`/channels/${channel.id}`)).body;
      if (!live.live || live.stats.keyframeIntervalSeconds === 0) return undefined;
      return (await warningsOf()).length === 0;
    },
    30_000,
    500,
  );
}, 120_000);
