// Drain (POST /nodes/:id/drain, admins): in a 2-node mesh with the publisher on n1, draining n1
// moves its streaming restream to n2 (fed by a chain link from n1's ingest) and undraining moves it
// back, and nginx-rtmp never sees two publishers for the key at once (its on_publish /
// on_publish_done hooks are counted). GET /nodes shows `draining`.
import { afterAll, beforeAll, expect, it } from "vitest";
import { ffprobeStreams, type MediaProcess, publish } from "../support/media.js";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import { startedRestream } from "../support/restreams.js";
import { waitFor } from "../support/wait.js";

const KEY = "drained-out";
let mesh: TestMesh;
let nginx: NginxRtmp;
let publisher: MediaProcess | undefined;
let restreamId: string;

beforeAll(async () => {
  nginx = await startNginxRtmp({ applications: [{ name: "live", watchPublishers: true }] });
  mesh = await startMesh([{ id: "n1" }, { id: "n2" }]);
  const admin = mesh.admin("n1");
  const made = await startedRestream(admin, {
    destinationUrl: nginx.url("live"),
    streamKey: KEY,
    channelName: "Drain",
  });
  const channel = made.channel;
  restreamId = made.restreamId;
  publisher = await publish(`${mesh.node("n1").rtmpBase}/${channel.streamKey}`, { loop: true });
}, 90_000);

afterAll(async () => {
  await publisher?.stop();
  await mesh?.stop();
  await nginx?.stop();
});

function streamingOn(node: string) {
  return waitFor(
    `restream streaming on ${node}`,
    async () => {
      const body = (await mesh.admin("n2").get(`/restreams/${restreamId}`)).body;
      return body.state === "streaming" && body.node === node ? body : undefined;
    },
    30_000,
  );
}

const draining = async () =>
  ((await mesh.admin("n2").get("/nodes")).body.items as { id: string; draining: boolean }[]).map((n) => [
    n.id,
    n.draining,
  ]);

it("streams from the ingest node before the drain", async () => {
  await streamingOn("n1");
  expect(await draining()).toEqual([
    ["n1", false],
    ["n2", false],
  ]);
});

it("draining n1 moves the restream to n2 with no second publisher at the destination", async () => {
  const since = Date.now();
  const answer = await mesh.admin("n2").post("/nodes/n1/drain");
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ id: "n1", draining: true });
  await streamingOn("n2");
  console.info(`drain: streaming from n2 ${Date.now() - since} ms after the drain`);
  expect(await draining()).toEqual([
    ["n1", true],
    ["n2", false],
  ]);
  const streams = await ffprobeStreams(nginx.url("live", KEY), 15_000);
  expect(streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
  expect(nginx.maxConcurrentPublishers(KEY)).toBe(1);
});

it("undraining n1 brings the restream back to its ingest node, still one publisher at a time", async () => {
  expect((await mesh.admin("n1").post("/nodes/n1/undrain")).body).toEqual({ id: "n1", draining: false });
  await streamingOn("n1");
  expect(nginx.maxConcurrentPublishers(KEY)).toBe(1);
});

it("a node that is not in the mesh is 404, and a user who is not an admin may not drain", async () => {
  const missing = await mesh.admin("n1").post("/nodes/n9/drain");
  expect(missing.status).toBe(404);
  expect(missing.body.error.code).toBe("not_found");
  await mesh.admin("n1").post("/users", { username: "plain", password: "plain-password", role: "user" });
  const user = await mesh.admin("n1").withToken(undefined).login("plain", "plain-password");
  expect((await user.post("/nodes/n1/drain")).status).toBe(403);
});
