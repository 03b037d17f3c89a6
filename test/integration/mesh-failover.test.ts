// Three nodes on one nats-server, a publisher and a real nginx-rtmp destination. The restream runs
// where the ingest is, follows the publisher to another node, survives a leader's death and a
// nats-server restart without a second push, and waits for the publisher when the node holding it
// is killed. Throughout, nginx-rtmp never sees two publishers for the restream's key (its
// on_publish / on_publish_done hooks are counted).
import { afterAll, beforeAll, expect, it } from "vitest";
import { ffprobeStreams, type MediaProcess, publish } from "../support/media.js";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import { startedRestream } from "../support/restreams.js";
import { waitFor } from "../support/wait.js";

const KEY = "mesh-out";
let mesh: TestMesh;
let nginx: NginxRtmp;
let publisher: MediaProcess | undefined;
let channel: { id: string; streamKey: string };
let restreamId: string;

beforeAll(async () => {
  nginx = await startNginxRtmp({ applications: [{ name: "live", watchPublishers: true }] });
  mesh = await startMesh([{ id: "n1" }, { id: "n2" }, { id: "n3" }]);
  const admin = mesh.admin("n1");
  ({ channel, restreamId } = await startedRestream(admin, {
    destinationUrl: nginx.url("live"),
    streamKey: KEY,
    channelName: "Mesh",
  }));
}, 90_000);

afterAll(async () => {
  await publisher?.stop();
  await mesh?.stop();
  await nginx?.stop();
});

async function publishTo(nodeId: string): Promise<void> {
  await publisher?.stop();
  publisher = await publish(`${mesh.node(nodeId).rtmpBase}/${channel.streamKey}`, { loop: true });
}

/** Waits until the restream, seen through `via`, is in `state` on `node`. */
function restreamOn(via: string, state: string, node: string | null, timeoutMs = 20_000) {
  return waitFor(
    `restream ${state} on ${node} (via ${via})`,
    async () => {
      const body = (await mesh.admin(via).get(`/restreams/${restreamId}`)).body;
      return body.state === state && body.node === node ? body : undefined;
    },
    timeoutMs,
  );
}

it("runs the restream on the node that holds the ingest", async () => {
  await publishTo("n2");
  await restreamOn("n1", "streaming", "n2");
  const streams = await ffprobeStreams(nginx.url("live", KEY), 15_000);
  expect(streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
  const nodes = (await mesh.admin("n3").get("/nodes")).body.items as { id: string; ingests: number }[];
  expect(nodes.map((n) => [n.id, n.ingests])).toEqual([
    ["n1", 0],
    ["n2", 1],
    ["n3", 0],
  ]);
});

it("follows the publisher to another node", async () => {
  const since = Date.now();
  await publishTo("n3");
  await restreamOn("n2", "streaming", "n3");
  console.info(
    `follow the publisher: streaming from n3 ${Date.now() - since} ms after the new publish began`,
  );
  expect(nginx.maxConcurrentPublishers(KEY)).toBe(1);
});

it("keeps pushing when the scheduler leader dies, and the new leader acts on changes", async () => {
  const publishesBefore = nginx.publishAttempts().length;
  await mesh.node("n1").stop("SIGKILL");
  // n2 leads once the others miss n1's heartbeats; meanwhile nothing restarts the push.
  await waitFor("n1 gone from the nodes list", async () => {
    const items = (await mesh.admin("n2").get("/nodes")).body.items as { id: string }[];
    return items.length === 2;
  });
  // Nothing to wait for but time: the new leader's first rounds must leave the push alone.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  await restreamOn("n2", "streaming", "n3");
  expect(nginx.publishAttempts().length).toBe(publishesBefore);

  expect((await mesh.admin("n2").post(`/restreams/${restreamId}/stop`)).status).toBe(200);
  await restreamOn("n2", "stopped", null);
  expect((await mesh.admin("n3").post(`/restreams/${restreamId}/start`)).status).toBe(200);
  await restreamOn("n2", "streaming", "n3");
});

it("keeps streaming through a nats-server outage longer than the heartbeat timeout, with no second push", async () => {
  const publishesBefore = nginx.publishAttempts().length;
  const server = mesh.nats.servers[0] as TestMesh["nats"]["servers"][number];
  await server.stop();
  // The outage itself: long enough that every node takes the others for gone (3 s heartbeats).
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  await server.start();
  const renamed = `after the outage ${Date.now()}`;
  await waitFor("a write on n3 seen on n2 again", async () => {
    await mesh.admin("n3").patch(`/channels/${channel.id}`, { name: renamed });
    return (await mesh.admin("n2").get(`/channels/${channel.id}`)).body.name === renamed;
  });
  await restreamOn("n2", "streaming", "n3");
  // Give the scheduler time to act on the nodes' return: it must not restart or double the push.
  await waitFor("the mesh settled", async () => {
    const items = (await mesh.admin("n2").get("/nodes")).body.items as { id: string }[];
    return items.length === 2;
  });
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  await restreamOn("n2", "streaming", "n3");
  expect(nginx.publishAttempts().length).toBe(publishesBefore);
}, 60_000);

it("shows Awaiting Stream when the node with the ingest is killed, then streams from the publisher's new node", async () => {
  await mesh.node("n3").stop("SIGKILL");
  await restreamOn("n2", "awaiting_stream", null);
  await publishTo("n2");
  await restreamOn("n2", "streaming", "n2");
  const streams = await ffprobeStreams(nginx.url("live", KEY), 15_000);
  expect(streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
  expect(nginx.maxConcurrentPublishers(KEY)).toBe(1);
});
