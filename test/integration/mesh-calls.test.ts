// The typed mesh calls: every internal action is declared in services/mesh-calls.ts (the list
// the mesh-trust middleware keys off), and the receiving node validates params with the call's
// schema before anything runs. Two brokers on Moleculer's Fake transporter, sharing one store.
import { rmSync } from "node:fs";
import type { ServiceBroker } from "moleculer";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createBroker } from "../../services/broker.js";
import { INTERNAL_ACTIONS, meshCall, NODE_CALLS } from "../../services/mesh-calls.js";
import { inProcessRuntime } from "../support/in-process-node.js";
import { tempDataDir } from "../support/node-process.js";
import { openSealedSqlite } from "../support/sealed-sqlite.js";

const dataDir = tempDataDir();
const sealed = openSealedSqlite(`${dataDir}/streamwell.db`);
let node: ServiceBroker;
let peer: ServiceBroker;

beforeAll(async () => {
  node = createBroker(inProcessRuntime("node-a", dataDir, sealed), { version: "test", transporter: "Fake" });
  peer = createBroker(inProcessRuntime("peer", dataDir, sealed), {
    version: "test",
    domain: false,
    api: false,
    transporter: "Fake",
  });
  await Promise.all([node.start(), peer.start()]);
  await peer.waitForServices(["streamwell.node", "streamwell.restreams", "streamwell.channels"], 10_000);
});

afterAll(async () => {
  await Promise.all([peer?.stop(), node?.stop()]);
  await sealed.store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it("lists every Streamwell action without an access level as internal, and only those", () => {
  const list = node.registry.getActionList({ onlyLocal: true, skipInternal: true });
  const actions = list as unknown as { name: string; action: { access?: string } }[];
  // moleculer-web's own actions on the gateway are Moleculer's, not Streamwell's.
  const ours = actions.filter(
    ({ name }) => name.startsWith("streamwell.") && !name.startsWith("streamwell.api."),
  );
  const withoutAccess = ours.filter(({ action }) => action.access === undefined).map(({ name }) => name);
  expect(new Set(withoutAccess)).toEqual(INTERNAL_ACTIONS);
});

it("answers a well-formed call from another node", async () => {
  await expect(meshCall(peer, NODE_CALLS.actorReports, {}, "node-a")).resolves.toMatchObject({
    reports: {},
  });
  await expect(meshCall(peer, NODE_CALLS.ingests, {}, "node-a")).resolves.toEqual([]);
});

it("refuses malformed params with 422 before the handler runs", async () => {
  const junk: [string, unknown][] = [
    [NODE_CALLS.ensureActors.name, { orders: "all" }],
    [NODE_CALLS.removeActors.name, { restreamIds: [1, 2] }],
    [NODE_CALLS.openChain.name, { channelId: "ch_x" }],
    [NODE_CALLS.closeChain.name, {}],
    [NODE_CALLS.pushChain.name, { channelId: "../etc", sourceNodeId: "a", targetNodeId: "b" }],
    [NODE_CALLS.unpushChain.name, { channelId: "ch_x", container: "avi" }],
    [NODE_CALLS.actorReports.name, { restreamIds: "rs_1" }],
    [NODE_CALLS.actorLogs.name, { restreamId: "x" }],
  ];
  for (const [name, params] of junk) {
    await expect(peer.call(name, params, { nodeID: "node-a" }), name).rejects.toMatchObject({
      code: 422,
      type: "validation_failed",
    });
  }
});

it("refuses an order that carries a spec: a node runs only what the store holds", async () => {
  const order = {
    restreamId: "rs_forged",
    channelId: "ch_forged",
    epoch: 1,
    spec: {
      kind: "push",
      target: { kind: "rtmp", host: "-i /etc/passwd", port: 1935, app: "live" },
      streamKey: "key",
      insecureSkipVerify: false,
      secrets: [],
      engine: "ffmpeg",
    },
  };
  await expect(
    peer.call(NODE_CALLS.ensureActors.name, { orders: [order] }, { nodeID: "node-a" }),
  ).rejects.toMatchObject({ code: 422, data: { fields: { "orders.0.spec": "unknown field" } } });
  const { spec: _spec, ...named } = order;
  await expect(meshCall(peer, NODE_CALLS.ensureActors, { orders: [named] }, "node-a")).resolves.toEqual({
    refused: ["rs_forged"],
  });
  await expect(meshCall(peer, NODE_CALLS.actorReports, {}, "node-a")).resolves.toMatchObject({
    reports: {},
  });
});
