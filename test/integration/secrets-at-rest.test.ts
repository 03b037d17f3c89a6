// Secrets at rest, as an attacker with a copy of the data dir or read access to NATS would look:
// after making every kind of record that holds a stream key or a passphrase, and while a restream
// streams to nginx-rtmp with its key, neither the SQLite file and its WAL nor any value of the
// JetStream KV (read raw over NATS) holds one in plain text. A node given another key refuses to
// start with a clear message.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import { ffprobeStreams, type MediaProcess, publish } from "../support/media.js";
import { startMesh, type TestMesh } from "../support/mesh.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import {
  createSecretResources,
  LOOPBACK_SRT_PUSH,
  type SecretResources,
  unsealedFields,
} from "../support/secret-resources.js";
import { freeUdpPort } from "../support/srt.js";
import { waitFor } from "../support/wait.js";

const SEALED_PREFIXES = ["channels.", "destinations.", "restreams.", "chains."];

let nginx: NginxRtmp;
let publisher: MediaProcess | undefined;

beforeAll(async () => {
  nginx = await startNginxRtmp();
});

afterAll(async () => {
  await publisher?.stop();
  await nginx?.stop();
});

/** Starts every restream, publishes to `rtmpBase`, and waits until nginx plays the pushed stream. */
async function streamToNginx(admin: ApiClient, rtmpBase: string, made: SecretResources): Promise<void> {
  for (const id of made.restreamIds) expect((await admin.post(`/restreams/${id}/start`)).status).toBe(200);
  publisher = await publish(`${rtmpBase}/${made.channel.streamKey}`, { loop: true });
  await waitFor(
    "restream to nginx streaming",
    async () => (await admin.get(`/restreams/${made.rtmp.restreamId}`)).body.state === "streaming",
    30_000,
  );
  // Nothing lost: the key opened from the store is the one nginx sees the push under.
  const streams = await ffprobeStreams(nginx.url("live", made.rtmp.streamKey), 15_000);
  expect(streams.map((s) => s.codec_name).sort()).toEqual(["aac", "h264"]);
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return "";
  }
}

describe("one node (SQLite)", () => {
  let node: NodeProcess;
  const dataDir = tempDataDir();

  afterAll(async () => {
    await node?.stop();
    removeDataDir(dataDir);
  });

  it("keeps no stream key or passphrase in the database or its WAL, while a restream streams", async () => {
    node = await startNode({ dataDir, env: LOOPBACK_SRT_PUSH });
    const admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
    const made = await createSecretResources(admin, {
      rtmpUrl: nginx.url("live"),
      srtPort: await freeUdpPort(),
      tag: "sqlite",
    });
    await streamToNginx(admin, node.rtmpBase, made);

    const db = join(dataDir, "streamwell.db");
    const onDisk = readIfThere(db) + readIfThere(`${db}-wal`);
    expect(onDisk).toContain("channels."); // the records are there...
    for (const secret of made.secrets) expect(onDisk, "a secret in plain text on disk").not.toContain(secret);

    // ...readable by the node's user only.
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    for (const file of ["streamwell.db", "streamwell.db-wal", "streamwell.db-shm", "secret.key"])
      expect(statSync(join(dataDir, file)).mode & 0o777, file).toBe(0o600);

    await publisher?.stop();
    publisher = undefined;
  }, 120_000);

  it("refuses to start with another secret key, saying so, and starts again with its own", async () => {
    await node.stop();
    const wrong = Buffer.alloc(32, 1).toString("base64");
    const failure = await startNode({ dataDir, env: { STREAMWELL_SECRET_KEY: wrong } }).catch(
      (e: Error) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /failed to start: this node's secret key \(key id [0-9a-f]{12}\) is not the key this store's secrets are sealed with \(key id [0-9a-f]{12}\)/,
    );
    expect((failure as Error).message).not.toContain(wrong);
    node = await startNode({ dataDir, env: LOOPBACK_SRT_PUSH });
    const admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
    const channels = (await admin.get("/channels")).body.items as { id: string }[];
    expect(channels).toHaveLength(1);
    expect((await admin.get(`/channels/${channels[0]?.id}`)).body.streamKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
  }, 60_000);
});

it("writes a generated admin password to a 0600 file in the data dir, never to its output", async () => {
  const dataDir = tempDataDir();
  // No STREAMWELL_ADMIN_PASSWORD: spawn leaves out a variable whose value is undefined.
  const node = await startNode({
    dataDir,
    env: { STREAMWELL_ADMIN_PASSWORD: undefined as unknown as string },
  });
  try {
    const file = join(dataDir, "admin-password");
    const password = readFileSync(file, "utf8").trim();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(
      (await new ApiClient(node.baseUrl).post("/auth/login", { username: "admin", password })).status,
    ).toBe(200);
    expect(node.output.join("\n")).not.toContain(password);
    expect(node.output.some((line) => line.includes(file))).toBe(true);
  } finally {
    await node.stop();
    removeDataDir(dataDir);
  }
}, 60_000);

describe("a mesh (NATS JetStream KV)", () => {
  let mesh: TestMesh;

  afterAll(async () => {
    await mesh?.stop();
  });

  it("keeps no stream key or passphrase in any KV value, chain links included, while a restream streams", async () => {
    mesh = await startMesh([
      { id: "n1", env: LOOPBACK_SRT_PUSH },
      { id: "n2", env: LOOPBACK_SRT_PUSH },
    ]);
    // Made on n2: the Remote Playback listens on n2, so publishing to n1 opens a chain link n1 -> n2.
    const made = await createSecretResources(mesh.admin("n2"), {
      rtmpUrl: nginx.url("live"),
      srtPort: await freeUdpPort(),
      tag: "nats",
    });
    await streamToNginx(mesh.admin("n1"), mesh.node("n1").rtmpBase, made);

    const nc = await connect({ servers: mesh.nats.servers[0]?.url });
    try {
      const jsm = await nc.jetstreamManager();
      const buckets = (await jsm.streams.names().next()).filter((name) => name.startsWith("KV_"));
      expect(buckets).toHaveLength(1);
      const kv = await nc.jetstream().views.kv((buckets[0] as string).slice("KV_".length));
      const keys = async () => {
        const found: string[] = [];
        for await (const key of await kv.keys()) found.push(key);
        return found;
      };
      await waitFor("a chain link in the store", async () =>
        (await keys()).some((k) => k.startsWith("chains.")),
      );
      const raw: string[] = [];
      const unsealed: string[] = [];
      for (const key of await keys()) {
        const entry = await kv.get(key);
        if (!entry || entry.value.length === 0) continue;
        raw.push(entry.string());
        if (SEALED_PREFIXES.some((prefix) => key.startsWith(prefix)))
          unsealed.push(...unsealedFields(entry.json()).map((field) => `${key}#${field}`));
      }
      const all = raw.join("\n");
      expect(all).toContain("sealed:v1:");
      for (const secret of made.secrets)
        expect(all, "a secret in plain text in the KV").not.toContain(secret);
      expect(unsealed).toEqual([]);
    } finally {
      await nc.close();
    }
    await publisher?.stop();
    publisher = undefined;
  }, 180_000);
});
