// A restream's history, end to end: a real node, ffmpeg publishing, nginx-rtmp refusing the first
// key. The Error with its reason, then Streaming once the key is right, and the channel going
// offline are listed newest first; they are still there after the node is SIGKILLed and started again on
// the same data dir; deleting the restream deletes its history.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApiClient } from "../support/api-client.js";
import type { NginxRtmp } from "../support/nginx-rtmp.js";
import type { NodeProcess } from "../support/node-process.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { RestreamApi } from "../support/restreams.js";
import { waitFor } from "../support/wait.js";

const GOOD_KEY = "history-good-key";

interface Item {
  time: string;
  kind: "restream" | "channel";
  state: string;
  error: { code: string; message: string } | null;
  node: string;
}

let nginx: NginxRtmp;
let node: NodeProcess;
let admin: ApiClient;
let setup: NodeWithNginx | undefined;
const api = new RestreamApi(() => ({ admin, rtmpBase: node.rtmpBase }));

beforeAll(async () => {
  setup = await startNodeWithNginx({ nginx: { applications: [{ name: "live", allowKeys: [GOOD_KEY] }] } });
  ({ nginx, node, admin } = setup);
}, 30_000);

afterAll(async () => {
  await api.stopPublishers();
  await setup?.stop();
});

const history = async (id: string): Promise<Item[]> => {
  const response = await admin.get<{ items: Item[] }>(`/restreams/${id}/history`);
  expect(response.status, response.text).toBe(200);
  return response.body.items;
};

it("lists an Error with its reason, then Streaming, newest first, across a SIGKILL and a start", async () => {
  const destinationId = await api.createDestination("History sink", nginx.url("live"));
  const channel = await api.liveChannel("History");
  const id = await api.startRestream(channel.id, destinationId, "refused-key");
  const failed = await api.waitForState(id, "error");
  expect(failed.error?.code).toBe("destination_rejected");
  expect((await admin.patch(`/restreams/${id}`, { streamKey: GOOD_KEY })).status).toBe(200);
  await api.waitForState(id, "streaming");

  await waitFor("streaming in the history", async () => (await history(id))[0]?.state === "streaming");
  await api.stopPublishers();
  // Written in batches (about a second): wait until the store has the channel offline, then kill.
  await waitFor("the channel offline in the history", async () =>
    (await history(id)).some((item) => item.kind === "channel" && item.state === "offline"),
  );
  await node.stop("SIGKILL");
  ({ node, admin } = await (setup as NodeWithNginx).startNodeAgain());

  const items = await history(id);
  const own = items.filter((item) => item.kind === "restream");
  const streaming = own.find((item) => item.state === "streaming");
  expect(streaming).toMatchObject({ error: null, node: "test-node" });
  const error = own.find((item) => item.state === "error");
  expect(error).toMatchObject({ node: "test-node", error: { code: "destination_rejected" } });
  expect(error?.error?.message).toMatch(/publish|reject|refus/i);
  expect(own.indexOf(error as Item)).toBeGreaterThan(own.indexOf(streaming as Item));
  const offline = items.findIndex((item) => item.kind === "channel" && item.state === "offline");
  expect(items[offline]?.node).toBe("test-node");
  expect(offline).toBeLessThan(items.indexOf(streaming as Item));
  const times = items.map((item) => item.time);
  expect(times).toEqual([...times].sort().reverse());
  expect(JSON.stringify(items)).not.toContain("refused-key");

  expect((await admin.delete(`/restreams/${id}`)).status).toBe(204);
  expect((await admin.get(`/restreams/${id}/history`)).status).toBe(404);
}, 90_000);
