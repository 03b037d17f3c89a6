// A plain Moleculer node (not Streamwell) on the mesh's NATS calls Streamwell's actions and is
// authorised like an HTTP caller: examples/external-client.mjs as users run it, then the refusals.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import moleculer from "moleculer";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type NatsCluster, startNatsCluster } from "../../bench/support/nats-server.js";
import { ApiClient } from "../support/api-client.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";

const EXAMPLE = new URL("../../examples/external-client.mjs", import.meta.url).pathname;
const NATS_USER = "mesh";
const NATS_PASSWORD = "nats-pass-Kx81";
const namespace = `ext-${randomUUID().slice(0, 8)}`;
let nats: NatsCluster;
let natsUrl: string;
let node: NodeProcess | undefined;
let external: moleculer.ServiceBroker | undefined;

beforeAll(async () => {
  nats = await startNatsCluster({ auth: { user: NATS_USER, password: NATS_PASSWORD } });
  natsUrl = nats.url.replace("nats://", `nats://${NATS_USER}:${NATS_PASSWORD}@`);
  node = await startNode({ dataDir: tempDataDir(), natsUrl, env: { STREAMWELL_NAMESPACE: namespace } });
}, 60_000);

afterAll(async () => {
  await external?.stop();
  await node?.stop();
  if (node) removeDataDir(node.dataDir);
  await nats?.remove();
});

it("runs the example: refused without a token, then lists, creates and starts with one", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [EXAMPLE], {
    env: {
      PATH: process.env.PATH ?? "",
      NATS_URL: natsUrl,
      STREAMWELL_NAMESPACE: namespace,
      STREAMWELL_USERNAME: "admin",
      STREAMWELL_PASSWORD: ADMIN_PASSWORD,
    },
    timeout: 40_000,
  });
  const steps = Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .map(({ step, ...rest }) => [step, rest]),
  );
  expect(steps["anonymous channels.list"]).toEqual({ code: 401, type: "unauthenticated" });
  expect(steps["channels.list"].channels).toContain("From an external service");
  expect(steps["restreams.start"].state).toBe("awaiting_stream");

  // The same state through the node's REST API.
  const admin = await new ApiClient((node as NodeProcess).baseUrl).login("admin", ADMIN_PASSWORD);
  expect((await admin.get(`/channels/${steps["channels.list"].channelId}`)).body.name).toBe(
    "From an external service",
  );
  expect((await admin.get(`/restreams/${steps["restreams.start"].restreamId}`)).body.state).toBe(
    "awaiting_stream",
  );
});

it("answers a user's token on admin actions with 403 and ignores a forged caller", async () => {
  const admin = await new ApiClient((node as NodeProcess).baseUrl).login("admin", ADMIN_PASSWORD);
  expect(
    (await admin.post("/users", { username: "viewer", password: "viewer-password", role: "user" })).status,
  ).toBe(201);
  external = new moleculer.ServiceBroker({
    nodeID: "external-test",
    namespace,
    transporter: natsUrl,
    logger: false,
  });
  await external.start();
  await external.waitForServices(["streamwell.users", "streamwell.destinations"], 20_000);
  const broker = external;
  const { token } = await broker.call<{ token: string }, object>("streamwell.users.login", {
    username: "viewer",
    password: "viewer-password",
  });

  const failure = (call: Promise<unknown>) =>
    call.then(
      () => ({ ok: true }),
      (error: { code: number; type: string }) => ({ code: error.code, type: error.type }),
    );
  expect(await failure(broker.call("streamwell.users.list", {}, { meta: { token } }))).toEqual({
    code: 403,
    type: "forbidden",
  });
  expect(
    await failure(
      broker.call(
        "streamwell.destinations.create",
        { name: "No", url: "rtmp://127.0.0.1/live" },
        { meta: { token } },
      ),
    ),
  ).toEqual({ code: 403, type: "forbidden" });
  const forged = { caller: { id: "us_forged", username: "admin", role: "admin" } };
  expect(await failure(broker.call("streamwell.users.list", {}, { meta: forged }))).toEqual({
    code: 401,
    type: "unauthenticated",
  });
  // A user's own actions work with the user's token.
  expect(await broker.call("streamwell.users.me", {}, { meta: { token } })).toMatchObject({
    username: "viewer",
  });
});
