// A mesh trusts only its own nodes (issue 13.1). A node on a real nats-server, with a live
// publisher and two restreams; rogue Moleculer brokers on the same NATS, with its credentials but
// without the mesh secret (none, or a wrong one), call every node-to-node action and Moleculer's
// and moleculer-web's built-ins, replay a node's genuine call and forge ingest events. Every call
// is refused with 403 `forbidden`; no ffmpeg, no push, no store write follows; the publisher
// stays live. A node started with a wrong secret gets no work and places none.
import { randomUUID } from "node:crypto";
import moleculer from "moleculer";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsCluster, startNatsCluster } from "../../bench/support/nats-server.js";
import { MeshProof } from "../../node/mesh/mesh-proof.js";
import { INTERNAL_ACTIONS } from "../../services/mesh-calls.js";
import { meshSigner, REFUSAL_LOG } from "../../services/mesh-gate.js";
import { ApiClient } from "../support/api-client.js";
import { type MediaProcess, publish } from "../support/media.js";
import {
  ADMIN_PASSWORD,
  childPids,
  MESH_SECRET,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import { waitFor } from "../support/wait.js";

const NATS_USER = "mesh";
const NATS_PASSWORD = "nats-pass-Qe42";
const WRONG_SECRET = "a-wrong-mesh-secret-0123456789abcdefgh";
const namespace = `trust-${randomUUID().slice(0, 8)}`;
const NODE = "node-a";

let nats: NatsCluster;
let natsUrl: string;
let raw: NatsConnection;
let node: NodeProcess;
let admin: ApiClient;
let publisher: MediaProcess | undefined;
let channel: { id: string; streamKey: string };
const started: { stop(): Promise<unknown> }[] = [];

/** A Moleculer broker on the mesh's NATS; `secret`: signs its packets with it. */
async function rogue(name: string, secret?: string): Promise<moleculer.ServiceBroker> {
  const broker = new moleculer.ServiceBroker({
    nodeID: `${name}-${process.pid}`,
    namespace,
    transporter: natsUrl,
    logger: false,
    requestTimeout: 5_000,
    middlewares: secret ? [meshSigner(new MeshProof({ secret }))] : [],
  });
  started.push(broker);
  await broker.start();
  await broker.waitForServices(["streamwell.node", "streamwell.api"], 15_000);
  return broker;
}

/** What a call ended with: the answer, or the error's code and type. */
async function outcome(call: Promise<unknown>): Promise<unknown> {
  try {
    return { answered: await call };
  } catch (error) {
    const { code, type } = error as { code?: number; type?: string };
    return { code, type };
  }
}

/** Every key of the KV bucket with its revision, read raw over NATS. */
async function storeRevisions(): Promise<Record<string, number>> {
  const kv = await raw.jetstream().views.kv(`${namespace}-state`);
  const revisions: Record<string, number> = {};
  for await (const key of await kv.keys()) revisions[key] = (await kv.get(key))?.revision ?? 0;
  return revisions;
}

/** What a rogue may try for each node-to-node action: plausible orders that would start work. */
function attacks(): Record<string, object> {
  const link = {
    channelId: channel.id,
    sourceNodeId: NODE,
    targetNodeId: "rogue",
    container: "mpegts",
    host: "127.0.0.1",
    port: 9,
    passphrase: "rogue-passphrase-0123",
  };
  const order = {
    restreamId: "rs_rogue",
    channelId: channel.id,
    epoch: 1,
    spec: {
      kind: "push",
      target: { kind: "rtmp", host: "127.0.0.1", port: 9, app: "live", tls: false },
      streamKey: "rogue-key",
      secrets: ["rogue-key"],
      insecureSkipVerify: false,
      engine: "native",
    },
  };
  const byName: Record<string, object> = {
    metrics: {},
    ensureActors: { orders: [order] },
    removeActors: { restreamIds: ["rs_rogue"] },
    openChain: { ...link, sourceNodeId: "rogue", targetNodeId: NODE },
    closeChain: { channelId: channel.id },
    pushChain: link,
    unpushChain: link,
    actorReports: {},
    actorLogs: { restreamId: "rs_rogue" },
    ingests: {},
  };
  return Object.fromEntries(
    [...INTERNAL_ACTIONS].map((action) => [action, byName[action.slice(action.lastIndexOf(".") + 1)] ?? {}]),
  );
}

const BUILT_INS: Record<string, object> = {
  "$node.options": {},
  "$node.list": {},
  "$node.services": {},
  "$node.actions": {},
  "$node.events": {},
  "$node.health": {},
  "$node.metrics": {},
  "streamwell.api.listAliases": {},
  "streamwell.api.addRoute": { route: { path: "/rogue", aliases: { "GET /": "$node.options" } } },
  "streamwell.api.removeRoute": { path: "/api/v1" },
};

const FORBIDDEN = { code: 403, type: "forbidden" };

/** Lines the node logged since `from` that say an actor, chain end or relay started. */
function workStarted(from: number): string[] {
  return node.output.slice(from).filter((line) => /actor_ensured|chain_push|"event":"relay_/.test(line));
}

beforeAll(async () => {
  nats = await startNatsCluster({ auth: { user: NATS_USER, password: NATS_PASSWORD } });
  natsUrl = nats.url.replace("nats://", `nats://${NATS_USER}:${NATS_PASSWORD}@`);
  raw = await connect({ servers: nats.url, user: NATS_USER, pass: NATS_PASSWORD });
  node = await startNode({
    dataDir: tempDataDir(),
    natsUrl,
    nodeId: NODE,
    env: { STREAMWELL_NAMESPACE: namespace, STREAMWELL_MAX_RESTREAMS: "1" },
  });
  admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
  channel = (await admin.post("/channels", { name: "Guarded" })).body;
  publisher = await publish(`${node.rtmpBase}/${channel.streamKey}`, { loop: true });
  await waitFor("the channel live", async () => (await admin.get(`/channels/${channel.id}`)).body.live);
}, 90_000);

afterAll(async () => {
  for (const broker of started.reverse()) await broker.stop().catch(() => {});
  await publisher?.stop();
  await node?.stop();
  if (node) removeDataDir(node.dataDir);
  await raw?.close();
  await nats?.remove();
});

describe("a rogue broker on the mesh's NATS", () => {
  for (const [label, secret] of [
    ["without a secret", undefined],
    ["with a wrong secret", WRONG_SECRET],
  ] as const) {
    it(`${label}: every node-to-node action and built-in answers 403, and nothing starts or changes`, async () => {
      const broker = await rogue(label.replace(/\W+/g, "-"), secret);
      const children = childPids(node.pid).sort();
      const revisions = await storeRevisions();
      const from = node.output.length;
      const calls = { ...attacks(), ...BUILT_INS };
      const results: Record<string, unknown> = {};
      for (const [action, params] of Object.entries(calls)) {
        results[action] = await outcome(broker.call(action, params, { nodeID: NODE }));
      }
      expect(results).toEqual(Object.fromEntries(Object.keys(calls).map((action) => [action, FORBIDDEN])));
      // The actions that mirror REST stay open, with a user's token (checked as over HTTP).
      expect(await outcome(broker.call("streamwell.channels.list", {}, { nodeID: NODE }))).toEqual({
        code: 401,
        type: "unauthenticated",
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // anything started would show by now
      expect(childPids(node.pid).sort()).toEqual(children);
      expect(workStarted(from)).toEqual([]);
      expect(await storeRevisions()).toEqual(revisions);
      expect(node.output.join("\n")).not.toContain(NATS_PASSWORD);
    });
  }

  it("cannot replay a node's genuine call: the copy is refused", async () => {
    const genuine = await rogue("genuine", MESH_SECRET);
    const requests = raw.subscribe(`MOL-${namespace}.REQ.${NODE}`, { max: 1 });
    const responses = raw.subscribe(`MOL-${namespace}.RES.${genuine.nodeID}`, { max: 2 });
    await raw.flush();
    expect(await genuine.call("streamwell.node.actorReports", {}, { nodeID: NODE })).toMatchObject({
      reports: {},
    });
    let captured: Uint8Array | undefined;
    for await (const message of requests) captured = message.data;
    raw.publish(`MOL-${namespace}.REQ.${NODE}`, captured);
    const answers: { success: boolean; error?: { code: number; type: string } }[] = [];
    for await (const message of responses) answers.push(JSON.parse(new TextDecoder().decode(message.data)));
    expect(answers.map((a) => (a.success ? "ok" : `${a.error?.code} ${a.error?.type}`))).toEqual([
      "ok",
      "403 forbidden",
    ]);
    await waitFor("the refusal logged", () => node.output.some((line) => line.includes('"why":"replayed"')));
  });

  it("cannot flood the node's log: its refused calls are one line per window, with their count", async () => {
    const broker = await rogue("flooder");
    const refusals = () =>
      node.output
        .filter((line) => line.includes('"event":"mesh_call_refused"') && line.includes(broker.nodeID))
        .map((line) => JSON.parse(line) as { count: number });
    const CALLS = 300;
    const answers = await Promise.all(
      Array.from({ length: CALLS }, () => outcome(broker.call("$node.options", {}, { nodeID: NODE }))),
    );
    expect(answers.filter((answer) => JSON.stringify(answer) === JSON.stringify(FORBIDDEN))).toHaveLength(
      CALLS,
    );
    const total = () => refusals().reduce((sum, line) => sum + line.count, 0);
    expect(total()).toBeLessThan(CALLS); // the rest waits for the window's end
    await waitFor("the window's count logged", () => total() === CALLS, REFUSAL_LOG.windowMs + 5_000);
    // One line at the first refusal, one with the count at the window's end (a third if the burst
    // straddled two windows on a loaded machine), instead of 300.
    expect(refusals()[0]?.count).toBe(1);
    expect(refusals().length).toBeLessThanOrEqual(3);
  }, 30_000);

  it("cannot forge an ingest event: the live publisher is not evicted", async () => {
    for (const [name, secret] of [
      ["forger", undefined],
      ["forger-wrong", WRONG_SECRET],
    ] as const) {
      const broker = await rogue(name, secret);
      const codecs = { video: "h264", audio: "aac" };
      await broker.broadcast("streamwell.ingest.live", {
        channelId: channel.id,
        nodeID: broker.nodeID,
        codecs,
      });
      await broker.broadcast("streamwell.ingest.offline", { channelId: channel.id, nodeID: NODE });
      // A call after the events, on the same connection: by its answer the events were handled.
      await broker.call("streamwell.node.ready", {}, { nodeID: NODE });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const view = (await admin.get(`/channels/${channel.id}`)).body;
    expect({ live: view.live, node: view.node }).toEqual({ live: true, node: NODE });
    expect(node.output.some((line) => /evict/i.test(line))).toBe(false);
  });
});

describe("a node started with a wrong mesh secret", () => {
  it("is not in the mesh: it neither receives restreams past the first node's capacity nor places any", async () => {
    // "a-wrong" sorts before node-a: in a mesh that admitted it, it would lead the scheduler.
    const wrong = await startNode({
      dataDir: tempDataDir(),
      natsUrl,
      nodeId: "a-wrong",
      meshSecret: WRONG_SECRET,
      env: { STREAMWELL_NAMESPACE: namespace, STREAMWELL_SRT_PORTS: "9300-9309" },
    });
    started.push({ stop: () => wrong.stop().then(() => removeDataDir(wrong.dataDir)) });
    const destination = (
      await admin.post("/destinations", { name: "Nowhere", url: "rtmp://127.0.0.1:9/live" })
    ).body;
    const ids: string[] = [];
    for (const name of ["first", "second"]) {
      const body = { kind: "destination", destinationId: destination.id, streamKey: `key-${name}`, name };
      const created = (await admin.post(`/channels/${channel.id}/restreams`, body)).body;
      expect((await admin.post(`/restreams/${created.id}/start`)).status).toBe(200);
      ids.push(created.id);
    }
    // node-a holds one restream (maxRestreams 1); with a second node in the mesh the other would
    // run there. The wrong node is not one: both run on node-a.
    const nodes = await waitFor("both restreams placed", async () => {
      const placed = await Promise.all(
        ids.map(async (id) => (await admin.get(`/restreams/${id}`)).body.node),
      );
      return placed.every((n) => n !== null) && placed;
    });
    expect(nodes).toEqual([NODE, NODE]);
    expect((await admin.get("/nodes")).body.items.map((n: { id: string }) => n.id)).toEqual([NODE]);
    const wrongAdmin = await new ApiClient(wrong.baseUrl).login("admin", ADMIN_PASSWORD);
    expect((await wrongAdmin.get("/nodes")).body.items.map((n: { id: string }) => n.id)).toEqual(["a-wrong"]);
    expect(wrong.output.filter((line) => line.includes("actor_ensured"))).toEqual([]);
    expect(wrong.output.some((line) => line.includes("mesh_proof_refused"))).toBe(true);
  });
});

describe("starting a node on NATS", () => {
  it("refuses to start without a mesh secret, naming the setting", async () => {
    const dataDir = tempDataDir();
    const attempt = startNode({ dataDir, natsUrl, nodeId: "no-secret", meshSecret: null });
    await expect(attempt).rejects.toThrow(/exited with 2[\s\S]*STREAMWELL_MESH_SECRET/);
    removeDataDir(dataDir);
  });

  it("starts without one when told it is insecure, and warns", async () => {
    const insecure = await startNode({
      dataDir: tempDataDir(),
      natsUrl,
      nodeId: "insecure",
      meshSecret: null,
      env: { STREAMWELL_NAMESPACE: `${namespace}-insecure`, STREAMWELL_MESH_INSECURE: "true" },
    });
    started.push({ stop: () => insecure.stop().then(() => removeDataDir(insecure.dataDir)) });
    expect(insecure.output.some((line) => line.includes('"event":"mesh_insecure"'))).toBe(true);
  });
});
