// deploy/compose.yaml as processes (bench/support/compose-local.ts: the same services, environment,
// configs and start order, ports mapped to free loopback ports), and a mesh smoke test against it:
// the three nodes find each other through the 3-server NATS cluster over TLS, the KV bucket is
// replicated on all three servers, a restream published to one node streams to a real nginx-rtmp
// with one publisher, the URLs a node shows carry its own (published) port, and Prometheus scrapes
// every node with the alert rules loaded. docs/deploy.md says what differs from Docker.
import { connect } from "nats";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ComposeLocal, startComposeLocal } from "../../bench/support/compose-local.js";
import { ApiClient } from "../support/api-client.js";
import { ffprobeStreams, type MediaProcess, publish } from "../support/media.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import { waitFor } from "../support/wait.js";

const NODES = [
  { name: "node-1", http: "8081", rtmp: "1935" },
  { name: "node-2", http: "8082", rtmp: "1945" },
  { name: "node-3", http: "8083", rtmp: "1955" },
];
const KEY = "compose-out";
let local: ComposeLocal;
let nginx: NginxRtmp;
let publisher: MediaProcess | undefined;
const admin = new Map<string, ApiClient>();

beforeAll(async () => {
  nginx = await startNginxRtmp({ applications: [{ name: "live", watchPublishers: true }] });
  local = await startComposeLocal();
  for (const { name, http } of NODES) {
    const password = local.vars.STREAMWELL_ADMIN_PASSWORD as string;
    admin.set(name, await new ApiClient(local.url(name, http)).login("admin", password));
  }
}, 150_000);

afterAll(async () => {
  await publisher?.stop();
  await local?.stop();
  await nginx?.stop();
}, 60_000);

const api = (name: string) => admin.get(name) as ApiClient;

it("starts every service compose describes that is installed here, Grafana left out", () => {
  const running = [...local.services.values()].filter((s) => s.proc?.running()).map((s) => s.name);
  expect(running).toEqual(["nats-1", "nats-2", "nats-3", "node-1", "node-2", "node-3", "prometheus"]);
  expect(local.services.get("grafana")?.kind).toBe("left-out");
});

it("the three nodes see each other through the NATS cluster", async () => {
  for (const { name } of NODES) {
    const ids = await waitFor(`${name} lists three nodes`, async () => {
      const items = (await api(name).get("/nodes")).body.items as { id: string }[];
      return items.length === 3 ? items.map((item) => item.id) : undefined;
    });
    expect(ids).toEqual(["node-1", "node-2", "node-3"]);
  }
});

it("the store is a JetStream KV bucket replicated on the 3 servers, reached over TLS as a node's own user", async () => {
  const nats = local.services.get("nats-2");
  const node = local.services.get("node-1");
  const nc = await connect({
    servers: `127.0.0.1:${nats?.ports.get("4222")}`,
    user: "node-1",
    pass: local.vars.NODE_1_NATS_PASSWORD,
    tls: { caFile: node?.env.STREAMWELL_NATS_TLS_CA },
  });
  try {
    const info = await (await nc.jetstreamManager()).streams.info("KV_streamwell-state");
    expect(info.config.num_replicas).toBe(3);
    expect(1 + (info.cluster?.replicas?.length ?? 0)).toBe(3);
  } finally {
    await nc.close();
  }
});

it("a restream of a channel published to node-2 streams to nginx-rtmp, with the URLs on node-2's own port", async () => {
  const destination = (await api("node-1").post("/destinations", { name: "nginx", url: nginx.url("live") }))
    .body;
  const channel = (await api("node-1").post("/channels", { name: "Compose" })).body;
  const restream = (
    await api("node-3").post(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: KEY,
    })
  ).body;
  expect((await api("node-3").post(`/restreams/${restream.id}/start`)).status).toBe(200);
  const rtmp = `rtmp://127.0.0.1:${local.services.get("node-2")?.ports.get("1945")}/live`;
  publisher = await publish(`${rtmp}/${channel.streamKey}`, { loop: true });
  await waitFor(
    "the restream streaming from node-2",
    async () => {
      const body = (await api("node-1").get(`/restreams/${restream.id}`)).body;
      return body.state === "streaming" && body.node === "node-2";
    },
    30_000,
  );
  const streams = await ffprobeStreams(nginx.url("live", KEY), 15_000);
  expect(streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
  expect(nginx.maxConcurrentPublishers(KEY)).toBe(1);
  // Each node shows its own RTMP port: compose publishes it on the same number, here its mapped one.
  const seenOnNode2 = (await api("node-2").get(`/channels/${channel.id}`)).body;
  expect(seenOnNode2.ingest.rtmp).toBe(`${rtmp}/${channel.streamKey}`);
});

it("Prometheus scrapes the three nodes and has loaded the alert rules", async () => {
  const prometheus = local.url("prometheus", "9090");
  const up = await waitFor(
    "three streamwell targets up",
    async () => {
      const body = (await (
        await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent('up{job="streamwell"}')}`)
      ).json()) as {
        data: { result: { value: [number, string] }[] };
      };
      const values = body.data.result.map((r) => r.value[1]);
      return values.length === 3 && values.every((v) => v === "1") ? values : undefined;
    },
    40_000,
    1_000,
  );
  expect(up).toHaveLength(3);
  const rules = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as {
    data: { groups: { rules: { name: string }[] }[] };
  };
  const names = rules.data.groups.flatMap((g) => g.rules.map((r) => r.name));
  expect(names.length).toBeGreaterThan(0);
});
