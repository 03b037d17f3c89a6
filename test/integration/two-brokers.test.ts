// Keeps the services honest about the mesh to come: the HTTP gateway runs on one broker and
// every domain service on another, joined by Moleculer's Fake transporter. Everything still
// works, so no service reaches another except through the broker.
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { ServiceBroker } from "moleculer";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../node/config/load.js";
import { createLogger } from "../../node/kit/log.js";
import { createRuntime } from "../../node/runtime.js";
import { createBroker } from "../../services/broker.js";
import { ApiClient } from "../support/api-client.js";
import { tempDataDir } from "../support/node-process.js";
import { openSealedSqlite } from "../support/sealed-sqlite.js";

const dataDir = tempDataDir();
const sealed = openSealedSqlite(`${dataDir}/streamwell.db`);
let gateway: ServiceBroker;
let domain: ServiceBroker;

function runtimeFor(nodeId: string) {
  const config = loadConfig({
    STREAMWELL_NODE_ID: nodeId,
    STREAMWELL_HTTP_PORT: "0",
    STREAMWELL_RTMP_PORT: "0",
    STREAMWELL_BIND_HOST: "127.0.0.1",
    STREAMWELL_PUBLIC_HOST: "127.0.0.1",
    STREAMWELL_LOG_LEVEL: "warn",
    STREAMWELL_DATA_DIR: dataDir,
  });
  return createRuntime(config, createLogger(config.logLevel, { node: nodeId }), sealed);
}

beforeAll(async () => {
  const domainRuntime = runtimeFor("domain");
  await domainRuntime.catalog.users.ensureAdmin("two-brokers-admin");
  domain = createBroker(domainRuntime, { version: "test", api: false, transporter: "Fake" });
  gateway = createBroker(runtimeFor("gateway"), { version: "test", domain: false, transporter: "Fake" });
  await Promise.all([domain.start(), gateway.start()]);
  await gateway.waitForServices(["streamwell.users", "streamwell.channels", "streamwell.restreams"], 10_000);
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), domain?.stop()]);
  await sealed.store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it("serves the REST API from a gateway whose services all run on another broker", async () => {
  const server = (
    gateway.getLocalService("streamwell.api") as unknown as { server: { address(): AddressInfo } }
  ).server;
  const admin = await new ApiClient(`http://127.0.0.1:${server.address().port}`).login(
    "admin",
    "two-brokers-admin",
  );
  const channel = await admin.post("/channels", { name: "Remote" });
  expect(channel.status).toBe(201);
  const restream = await admin.post(`/channels/${channel.body.id}/restreams`, { kind: "remote_playback" });
  expect(restream.status).toBe(201);
  expect((await admin.post(`/restreams/${restream.body.id}/start`)).body.state).toBe("awaiting_stream");
  expect((await admin.get("/nodes")).body.items.map((n: { id: string }) => n.id)).toEqual(["domain"]);
  expect((await admin.get("/auth/me")).body.username).toBe("admin");
});

it("authorises calls from other services by ctx.meta.token, exactly like HTTP", async () => {
  await expect(gateway.call("streamwell.channels.list", {})).rejects.toMatchObject({ code: 401 });
  const { token } = await gateway.call<{ token: string }, object>("streamwell.users.login", {
    username: "admin",
    password: "two-brokers-admin",
  });
  const list = await gateway.call<{ items: unknown[] }, object>(
    "streamwell.channels.list",
    {},
    { meta: { token } },
  );
  expect(list.items.length).toBeGreaterThan(0);
  // A caller cannot claim to be someone: meta.caller is replaced by what the token says.
  const forged = { token: "not-a-token", caller: { id: "x", username: "admin", role: "admin" } };
  await expect(gateway.call("streamwell.users.list", {}, { meta: forged })).rejects.toMatchObject({
    code: 401,
  });
});
