// The store's schema version on real nodes (node/store/schema.ts, node/catalog/migrations.ts):
// - two mesh nodes started at the same time on a JetStream KV store written before schema versions
//   (version 0: a channel record without backupStreamKey) migrate it exactly once: one node logs the
//   migration, the record is migrated, the schema record says version 1, and the channel still
//   takes its stream key;
// - a node whose code is older than its store's schema refuses to start, naming both versions.
import { randomInt, randomUUID } from "node:crypto";
import { execa } from "execa";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type NatsCluster, startNatsCluster } from "../../bench/support/nats-server.js";
import { MIGRATIONS } from "../../node/catalog/migrations.js";
import { natsEndpoint } from "../../node/mesh/nats-endpoint.js";
import { NatsKvStore } from "../../node/store/nats-kv-store.js";
import { SCHEMA_KEY } from "../../node/store/schema.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";
import { ApiClient } from "../support/api-client.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";

const ENTRY = new URL("../../dist/bin/streamwell.js", import.meta.url).pathname;
const CODE_VERSION = MIGRATIONS.length;
const LEGACY = {
  id: "ch_legacy",
  name: "Made before schema versions",
  ownerId: "u_gone",
  streamKey: "legacy-stream-key-0123456789",
  srt: null,
  createdAt: "2026-01-01T00:00:00.000Z",
};

let nats: NatsCluster;
const nodes: NodeProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  nats = await startNatsCluster();
});

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  for (const dir of dirs) removeDataDir(dir);
  await nats?.remove();
});

function dir(): string {
  const made = tempDataDir();
  dirs.push(made);
  return made;
}

it("two nodes started at once on a store from before schema versions migrate it exactly once", async () => {
  const namespace = `schema-${randomUUID().slice(0, 8)}`;
  const store = await NatsKvStore.open({ endpoint: natsEndpoint(nats.url), bucket: `${namespace}-state` });
  try {
    await store.create(`channels.${LEGACY.id}`, LEGACY);
    const ports = randomInt(20_000, 60_000);
    const started = await Promise.all(
      ["n1", "n2"].map((nodeId, i) =>
        startNode({
          dataDir: dir(),
          natsUrl: nats.url,
          nodeId,
          env: {
            STREAMWELL_NAMESPACE: namespace,
            STREAMWELL_SRT_PORTS: `${ports + i * 10}-${ports + i * 10 + 9}`,
          },
        }),
      ),
    );
    nodes.push(...started);
    const migrated = started.filter((node) =>
      node.output.some((line) => line.includes(`migrated the store's schema to version ${CODE_VERSION}`)),
    );
    expect(migrated).toHaveLength(1);
    expect((await store.get(SCHEMA_KEY))?.value).toEqual({ version: CODE_VERSION, migrating: null });
    const channel = (await store.get<Record<string, unknown>>(`channels.${LEGACY.id}`))?.value;
    expect(channel?.backupStreamKey).toBeNull();
    expect(channel?.name).toBe(LEGACY.name);
    const admin = await new ApiClient((started[1] as NodeProcess).baseUrl).login("admin", ADMIN_PASSWORD);
    const view = (await admin.get(`/channels/${LEGACY.id}`)).body;
    expect(view.streamKey).toBe(LEGACY.streamKey);
    expect(view.backup).toBe(false);
  } finally {
    await store.close();
  }
});

it("a node older than its store's schema refuses to start, naming both versions", async () => {
  const dataDir = dir();
  const store = SqliteStore.open(`${dataDir}/streamwell.db`);
  await store.create(SCHEMA_KEY, { version: CODE_VERSION + 1, migrating: null });
  await store.close();
  const result = await execa(process.execPath, [ENTRY], {
    env: {
      PATH: process.env.PATH ?? "",
      STREAMWELL_DATA_DIR: dataDir,
      STREAMWELL_HTTP_PORT: "0",
      STREAMWELL_RTMP_PORT: "0",
      STREAMWELL_BIND_HOST: "127.0.0.1",
      STREAMWELL_ADMIN_PASSWORD: ADMIN_PASSWORD,
    },
    extendEnv: false,
    reject: false,
    timeout: 30_000,
  });
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain(
    `failed to start: this store is at schema version ${CODE_VERSION + 1}, newer than this Streamwell's schema version ${CODE_VERSION}`,
  );
  const after = SqliteStore.open(`${dataDir}/streamwell.db`);
  try {
    expect((await after.list("")).map((entry) => entry.key)).toEqual([SCHEMA_KEY]);
  } finally {
    await after.close();
  }
});
