// A rolling upgrade of a 3-node mesh (docs/deploy.md): each node in turn is stopped with SIGTERM and
// started again on its data dir (the "new version" is the same code: the point is the sequence),
// waiting until it is ready and the restream streams before the next. A native-engine restream
// streams to nginx-rtmp throughout; the publisher is on n3, the last node restarted, and when n3
// stops it reconnects to n1 (as an encoder with a second server address does). Asserted: the key
// never has two publishers at nginx-rtmp (on_publish minus on_publish_done, every 100 ms), the
// restream is `streaming` at the end, and the store's records are the same before and after
// (placements, chain links, leases, sessions and history are where things run, not records).
// Logged: how long the destination had no publisher during each step (docs/deploy.md's figures).
import { afterAll, beforeAll, expect, it } from "vitest";
import { natsEndpoint } from "../../node/mesh/nats-endpoint.js";
import { NatsKvStore } from "../../node/store/nats-kv-store.js";
import { type MediaProcess, publish } from "../support/media.js";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import { type PublisherTimeline, samplePublishers } from "../support/publisher-timeline.js";
import { startedRestream } from "../support/restreams.js";
import { waitFor } from "../support/wait.js";

const KEY = "rolling-upgrade";
const NODES = ["n1", "n2", "n3"] as const;
const RUN_TIME_PREFIXES = ["placements.", "chains.", "leases.", "sessions.", "history."];
const STEP_TIMEOUT_MS = 60_000;

let mesh: TestMesh;
let nginx: NginxRtmp;
let publisher: MediaProcess | undefined;
let timeline: PublisherTimeline | undefined;
let channel: { id: string; streamKey: string };
let restreamId: string;

beforeAll(async () => {
  nginx = await startNginxRtmp({ applications: [{ name: "live", watchPublishers: true }] });
  mesh = await startMesh(NODES.map((id) => ({ id, env: { STREAMWELL_RESTREAM_ENGINE: "native" } })));
  const admin = mesh.admin("n1");
  ({ channel, restreamId } = await startedRestream(admin, {
    destinationUrl: nginx.url("live"),
    streamKey: KEY,
    channelName: "Rolling",
  }));
  publisher = await publish(`${mesh.node("n3").rtmpBase}/${channel.streamKey}`, { loop: true });
}, 120_000);

afterAll(async () => {
  timeline?.stop();
  await publisher?.stop();
  await mesh?.stop();
  await nginx?.stop();
});

/** Every record in the mesh's store but what says where things run now, sorted by key. */
async function storedRecords(): Promise<{ key: string; value: unknown }[]> {
  const store = await NatsKvStore.open({
    endpoint: natsEndpoint(mesh.nats.url),
    bucket: `${mesh.namespace}-state`,
    name: "rolling-upgrade-test",
  });
  try {
    return (await store.list(""))
      .filter((entry) => !RUN_TIME_PREFIXES.some((prefix) => entry.key.startsWith(prefix)))
      .map(({ key, value }) => ({ key, value }));
  } finally {
    await store.close();
  }
}

function streamingOn(via: string, node?: string) {
  return waitFor(
    `restream streaming${node ? ` on ${node}` : ""} (asked ${via})`,
    async () => {
      const body = (await mesh.admin(via).get(`/restreams/${restreamId}`)).body;
      return body?.state === "streaming" && (!node || body.node === node) ? body : undefined;
    },
    STEP_TIMEOUT_MS,
  );
}

async function readyInMesh(id: string): Promise<void> {
  await waitFor(
    `${id} ready and seeing the mesh`,
    async () => {
      if ((await mesh.admin(id).request("GET", "/readyz")).status !== 200) return false;
      const items = (await mesh.admin(id).get("/nodes")).body?.items as { id: string }[] | undefined;
      return items?.length === NODES.length;
    },
    STEP_TIMEOUT_MS,
  );
}

let before: { key: string; value: unknown }[];
const interruptions: Record<string, number> = {};

it("streams from the ingest node n3 before the upgrade", async () => {
  await streamingOn("n1", "n3");
  await waitFor("one publisher at nginx-rtmp", () => nginx.maxConcurrentPublishers(KEY) === 1, 20_000);
  timeline = samplePublishers(nginx, KEY);
  before = await storedRecords();
  expect(before.map((record) => record.key)).toEqual(
    expect.arrayContaining([`channels.${channel.id}`, `restreams.${restreamId}`, "schema"]),
  );
});

for (const id of NODES) {
  it(
    `restarts ${id} (SIGTERM, same data dir) with never two publishers at the destination`,
    async () => {
      const other = NODES.find((node) => node !== id) as string;
      const since = Date.now();
      if (id === "n3") {
        // The ingest node: its publisher loses the connection and reconnects to n1.
        const stopped = mesh.restart(id);
        await Promise.race([publisher?.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        await publisher?.stop();
        publisher = await publish(`${mesh.node("n1").rtmpBase}/${channel.streamKey}`, { loop: true });
        await stopped;
      } else {
        await mesh.restart(id);
      }
      await readyInMesh(id);
      const view = await streamingOn(other);
      const until = Date.now();
      interruptions[id] = timeline?.silentMs(since, until) ?? Number.NaN;
      console.info(
        `rolling upgrade: ${id} restarted and the restream streaming on ${view.node} after ${until - since} ms; the destination had no publisher for ${interruptions[id]} ms`,
      );
      expect(timeline?.max()).toBe(1);
      expect(nginx.maxConcurrentPublishers(KEY)).toBe(1);
    },
    3 * STEP_TIMEOUT_MS,
  );
}

it("ends streaming, one publisher, with the same records as before", async () => {
  const view = await streamingOn("n3");
  expect(view.node).toBe("n1"); // where the publisher is now
  await waitFor("a publisher at nginx-rtmp", () => timeline?.now() === 1, 20_000);
  expect(timeline?.max()).toBe(1);
  expect(nginx.maxConcurrentPublishers(KEY)).toBe(1);
  expect(await storedRecords()).toEqual(before);
  console.info(
    `rolling upgrade: no publisher at the destination per step (ms): ${JSON.stringify(interruptions)}`,
  );
});
