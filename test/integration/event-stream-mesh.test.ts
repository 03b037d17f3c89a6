// What server-sent events cost the mesh, counted: three nodes in one process on Moleculer's Fake
// transporter (one shared store), ten event-stream clients on node-1, a channel live on node-2
// with a restream placed there, streaming to nginx-rtmp (a steady actor sends no reports). Every Streamwell action call any broker makes is
// counted by name. One state change builds one view (not one per client), and a restream's
// view asks only the node its placement names (not every node): a constant number of calls,
// where each client used to cost 1 + N.
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { ServiceBroker } from "moleculer";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Runtime } from "../../node/runtime.js";
import { createBroker } from "../../services/broker.js";
import { EVENTS } from "../../services/events.js";
import { ApiClient } from "../support/api-client.js";
import { inProcessRuntime } from "../support/in-process-node.js";
import { type MediaProcess, publish } from "../support/media.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import { tempDataDir } from "../support/node-process.js";
import { openSealedSqlite } from "../support/sealed-sqlite.js";
import { type EventClient, openEvents } from "../support/sse.js";
import { waitFor } from "../support/wait.js";

const NODES = ["node-1", "node-2", "node-3"] as const;
const CLIENTS = 10;
const PASSWORD = "event-stream-mesh-admin";
// Literal names, so that this file also runs against a tree without services/mesh-calls.ts.
const VIEW_ACTIONS = [
  "streamwell.restreams.summary",
  "streamwell.restreams.eventView",
  "streamwell.channels.summary",
  "streamwell.channels.eventView",
];
const REPORTS = "streamwell.node.actorReports";

const dataDir = tempDataDir();
const sealed = openSealedSqlite(`${dataDir}/streamwell.db`);
const runtimes: Runtime[] = [];
const brokers: ServiceBroker[] = [];
const calls = new Map<string, number>();
let publisher: MediaProcess | undefined;
let nginx: NginxRtmp | undefined;
let admin: ApiClient;
let baseUrl: string;
let channel: { id: string; streamKey: string };
let restream: { id: string };

/** Counts every call a broker makes (ctx.call goes through broker.call too), by action name. */
function countCalls(broker: ServiceBroker): void {
  const call = broker.call.bind(broker);
  (broker as { call: unknown }).call = (name: string, ...rest: unknown[]) => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    return (call as (...args: unknown[]) => unknown)(name, ...rest);
  };
}

function counted(names: readonly string[]): Record<string, number> {
  return Object.fromEntries(
    names.flatMap((name) => [[name, calls.get(name) ?? 0] as const]).filter(([, n]) => n > 0),
  );
}

function httpPort(broker: ServiceBroker): number {
  const api = broker.getLocalService("streamwell.api") as unknown as { server: { address(): AddressInfo } };
  return api.server.address().port;
}

beforeAll(async () => {
  for (const nodeId of NODES) runtimes.push(inProcessRuntime(nodeId, dataDir, sealed));
  await runtimes[0]?.catalog.users.ensureAdmin(PASSWORD);
  for (const runtime of runtimes)
    brokers.push(createBroker(runtime, { version: "test", transporter: "Fake" }));
  await Promise.all(brokers.map((broker) => broker.start()));
  const [first, second] = brokers as [ServiceBroker, ServiceBroker];
  await waitFor("every node in node-1's registry", () =>
    NODES.every((id) => first.registry.nodes.get(id)?.available),
  );
  baseUrl = `http://127.0.0.1:${httpPort(first)}`;
  admin = await new ApiClient(baseUrl).login("admin", PASSWORD);
  nginx = await startNginxRtmp();
  const destination = (await admin.post("/destinations", { name: "Nginx", url: nginx.url("live") })).body;
  channel = (await admin.post("/channels", { name: "Counted" })).body;
  restream = (
    await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "counted-key",
    })
  ).body;
  await admin.post(`/restreams/${restream.id}/start`);
  // The channel goes live on node-2 (its ingest URL, as node-2 shows it), so the leader (node-1)
  // places the restream there.
  const onSecond = await new ApiClient(`http://127.0.0.1:${httpPort(second)}`).login("admin", PASSWORD);
  publisher = await publish((await onSecond.get(`/channels/${channel.id}`)).body.ingest.rtmp);
  await waitFor("the restream placed on node-2", async () => {
    const placement = await (runtimes[0] as Runtime).catalog.placements.get(restream.id);
    return placement?.nodeId === "node-2";
  });
  await waitFor("the restream streaming from node-2", async () => {
    const view = (await admin.get(`/restreams/${restream.id}`)).body;
    return view.node === "node-2" && view.state === "streaming";
  });
  for (const broker of brokers) countCalls(broker);
}, 60_000);

afterAll(async () => {
  await publisher?.stop();
  await nginx?.stop();
  await Promise.all(brokers.map((broker) => broker.stop()));
  await sealed.store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function clients(count: number): Promise<EventClient[]> {
  const opened = await Promise.all(
    Array.from({ length: count }, () => openEvents(baseUrl, admin.token as string)),
  );
  for (const client of opened) expect(client.status).toBe(200);
  return opened;
}

/** Broadcasts a change from node-3 and waits until every client has the resource's event. */
async function changeSeenByAll(streams: EventClient[], event: string, kind: string, id: string) {
  const before = streams.map((s) => s.events.filter((e) => e.event === kind && e.data.id === id).length);
  calls.clear();
  await (brokers[2] as ServiceBroker).broadcast(event, { id, channelId: channel.id });
  await waitFor("every client got the event", () =>
    streams.every(
      (s, i) => s.events.filter((e) => e.event === kind && e.data.id === id).length > (before[i] ?? 0),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 300)); // late calls would still be counted
}

it("one change with 10 clients and 3 nodes: one view, one report call (not 10 x (1 + 3))", async () => {
  const streams = await clients(CLIENTS);
  try {
    await changeSeenByAll(streams, EVENTS.restreamChanged, "restream", restream.id);
    const last = streams.map((s) => s.events.filter((e) => e.data.id === restream.id).at(-1)?.data);
    for (const view of last) expect(view).toMatchObject({ id: restream.id, node: "node-2" });
    expect(counted([...VIEW_ACTIONS, REPORTS])).toEqual({
      "streamwell.restreams.eventView": 1,
      [REPORTS]: 1,
    });
    // A channel's view asks every node what is live (the ingest is a runtime fact), once per event.
    await changeSeenByAll(streams, EVENTS.channelChanged, "channel", channel.id);
    expect(counted(VIEW_ACTIONS)).toEqual({ "streamwell.channels.eventView": 1 });
  } finally {
    for (const stream of streams) stream.close();
  }
});

it("one restream's view asks only the node that runs it", async () => {
  calls.clear();
  const view = (await admin.get(`/restreams/${restream.id}`)).body;
  expect(view.node).toBe("node-2");
  expect(counted([REPORTS])).toEqual({ [REPORTS]: 1 });
});

/** Every call to a node's internal actions (streamwell.node.*), by name. */
function nodeCalls(): Record<string, number> {
  return Object.fromEntries(
    [...calls].filter(([name]) => typeof name === "string" && name.startsWith("streamwell.node.")),
  );
}

it("creating and starting a restream cost a constant number of mesh calls, whatever the mesh holds", async () => {
  const destination = (await admin.post("/destinations", { name: "Counted 2", url: nginx?.url("live") }))
    .body;
  const perRestream: Record<string, number>[] = [];
  for (const key of ["counted-a", "counted-b", "counted-c"]) {
    calls.clear();
    const made = (
      await admin.post(`/channels/${channel.id}/restreams`, {
        kind: "destination",
        destinationId: destination.id,
        streamKey: key,
      })
    ).body;
    // Nothing runs it yet: no node is asked anything.
    expect(nodeCalls()).toEqual({});
    calls.clear();
    await admin.post(`/restreams/${made.id}/start`);
    await waitFor("the new restream streaming", async () => {
      return (await admin.get(`/restreams/${made.id}`)).body.state === "streaming";
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    perRestream.push(nodeCalls());
  }
  // Each start: the leader's one order to node-2, and each view asks node-2 alone: the same for
  // the third restream as for the first.
  for (const counts of perRestream) {
    expect(counts["streamwell.node.ensureActors"]).toBe(1);
    expect(Object.keys(counts).sort()).toEqual([
      "streamwell.node.actorReports",
      "streamwell.node.ensureActors",
    ]);
  }
  calls.clear();
  const { items } = (await admin.get(`/channels/${channel.id}/restreams`)).body;
  expect(items.length).toBe(4);
  // A list asks each node once for the restreams it shows, however many there are.
  expect(nodeCalls()["streamwell.node.actorReports"]).toBeLessThanOrEqual(NODES.length);
});
