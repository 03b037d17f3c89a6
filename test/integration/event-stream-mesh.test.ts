// What the API and server-sent events cost the mesh, counted: three nodes in one process on
// Moleculer's Fake transporter (one shared store), ten event-stream clients on node-1, a channel
// live on node-2 with a restream placed there, streaming to nginx-rtmp (a steady actor sends no
// reports). Every Streamwell action call any broker makes is counted by name, and every call to a
// node's internal actions by the node it went to. States come from each node's report cache
// (services/mesh-reports.ts, fed by the nodes' report events): one state change builds one view
// (not one per client); a view, a list or an event asks no node about restreams that stream
// nowhere, and only the node that streams them for their counters; creating asks nothing and
// starting costs the leader's one order. Each client used to cost 1 + N per event, and each list
// asked every node.
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { ServiceBroker } from "moleculer";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Runtime } from "../../node/runtime.js";
import { createBroker } from "../../services/broker.js";
import { EVENTS } from "../../services/events.js";
import { HEARTBEAT_TIMEOUT_MS } from "../../services/heartbeats.js";
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
/** The node-to-node calls (streamwell.node.*) as `action@nodeID`, in order. */
const nodeCallLog: string[] = [];
/** Reads of a node's whole report snapshot (at a join or a gap, never per request). */
let snapshots = 0;
let publisher: MediaProcess | undefined;
let nginx: NginxRtmp | undefined;
let admin: ApiClient;
let baseUrl: string;
let channel: { id: string; streamKey: string };
let restream: { id: string };

/** Counts every call a broker makes (ctx.call goes through broker.call too), by action name. */
function countCalls(broker: ServiceBroker): void {
  const call = broker.call.bind(broker);
  (broker as { call: unknown }).call = (name: string, params: unknown, opts?: { nodeID?: string }) => {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    if (typeof name === "string" && name.startsWith("streamwell.node."))
      nodeCallLog.push(`${name.slice("streamwell.node.".length)}@${opts?.nodeID ?? "any"}`);
    if (name === REPORTS && !(params as { restreamIds?: unknown }).restreamIds) snapshots += 1;
    return (call as (...args: unknown[]) => unknown)(name, params, opts);
  };
}

function clearCounts(): void {
  calls.clear();
  snapshots = 0;
  nodeCallLog.length = 0;
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
  const started = Date.now();
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
  // Each node reads every other's reports when it joins and once more a heartbeat timeout later
  // (services/mesh-reports.ts): those reads are over before anything is counted.
  await new Promise((resolve) =>
    setTimeout(resolve, Math.max(0, started + HEARTBEAT_TIMEOUT_MS + 500 - Date.now())),
  );
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
  clearCounts();
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

it("one restream's view asks only the node that streams it, for its counters", async () => {
  clearCounts();
  const view = (await admin.get(`/restreams/${restream.id}`)).body;
  expect(view).toMatchObject({ node: "node-2", state: "streaming" });
  expect(nodeCallLog).toEqual(["actorReports@node-2"]);
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
  for (const key of ["counted-a", "counted-b", "counted-c"]) {
    clearCounts();
    const made = (
      await admin.post(`/channels/${channel.id}/restreams`, {
        kind: "destination",
        destinationId: destination.id,
        streamKey: key,
      })
    ).body;
    expect(made.state).toBe("stopped");
    // Nothing runs it yet: no node is asked anything.
    expect(nodeCallLog).toEqual([]);
    const answer = (await admin.post(`/restreams/${made.id}/start`)).body;
    expect(answer.state).not.toBe("stopped"); // its own write, read back at once
    await waitFor("the new restream streaming", async () => {
      return (await admin.get(`/restreams/${made.id}`)).body.state === "streaming";
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The leader's one order to node-2; the views that showed it streaming asked node-2 alone.
    expect(nodeCalls()["streamwell.node.ensureActors"]).toBe(1);
    expect(new Set(nodeCallLog)).toEqual(new Set(["ensureActors@node-2", "actorReports@node-2"]));
    expect(snapshots).toBe(0);
  }
  clearCounts();
  const { items } = (await admin.get(`/channels/${channel.id}/restreams`)).body;
  expect(items.map((item: { state: string }) => item.state)).toEqual(Array(4).fill("streaming"));
  // A list asks only the node that streams them (one call for the four), not every node.
  expect(nodeCallLog).toEqual(["actorReports@node-2"]);
});

it("views, lists and events of restreams that stream nowhere ask no node at all", async () => {
  const quiet = (await admin.post("/channels", { name: "Quiet" })).body;
  const destination = (await admin.post("/destinations", { name: "Quiet", url: nginx?.url("live") })).body;
  const made: { id: string }[] = [];
  for (const streamKey of ["quiet-a", "quiet-b"]) {
    const input = { kind: "destination", destinationId: destination.id, streamKey };
    made.push((await admin.post(`/channels/${quiet.id}/restreams`, input)).body);
  }
  const [waiting, stopped] = made as [{ id: string }, { id: string }];
  await admin.post(`/restreams/${waiting.id}/start`); // the channel is not live: Awaiting Stream
  const streams = await clients(CLIENTS);
  try {
    clearCounts();
    expect((await admin.get(`/restreams/${waiting.id}`)).body.state).toBe("awaiting_stream");
    expect((await admin.get(`/restreams/${stopped.id}`)).body.state).toBe("stopped");
    const { items } = (await admin.get(`/channels/${quiet.id}/restreams`)).body;
    expect(items.length).toBe(2);
    expect(nodeCallLog).toEqual([]);
    await changeSeenByAll(streams, EVENTS.restreamChanged, "restream", waiting.id);
    expect(counted([...VIEW_ACTIONS, REPORTS])).toEqual({ "streamwell.restreams.eventView": 1 });
    expect(nodeCallLog).toEqual([]);
  } finally {
    for (const stream of streams) stream.close();
  }
});

it("a node that leaves the mesh takes its actors' reports with it (last: node-2 goes silent)", async () => {
  // node-2 stops hearing and sending, as a killed node does: node-1 finds it gone by its heartbeats.
  const transit = (brokers[1] as ServiceBroker).transit as unknown as {
    tx: { send(): Promise<void>; disconnect(): Promise<void> };
  };
  transit.tx.send = () => Promise.resolve();
  await transit.tx.disconnect();
  await waitFor(
    "node-2 gone from node-1's registry",
    () => !brokers[0]?.registry.nodes.get("node-2")?.available,
  );
  clearCounts();
  const view = (await admin.get(`/restreams/${restream.id}`)).body;
  expect(view).toMatchObject({ state: "awaiting_stream", node: null });
  const { items } = (await admin.get(`/channels/${channel.id}/restreams`)).body;
  expect(items.filter((item: { state: string }) => item.state === "streaming")).toEqual([]);
  expect(nodeCallLog.filter((call) => call.endsWith("@node-2"))).toEqual([]);
});
