// `streamwell backup > file` and `streamwell restore < file` on a node's store: the round trip gives
// a new data dir the same users, channels (stream keys), destinations and restreams, with the
// secrets still sealed in the file; a restore under another secret key, into a store that is not
// empty, or of a file from a newer schema version is refused with a clear message and writes
// nothing; a file of an older schema version is restored migrated.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, expect, it } from "vitest";
import { MIGRATIONS } from "../../node/catalog/migrations.js";
import { ApiClient } from "../support/api-client.js";
import { ADMIN_PASSWORD, removeDataDir, startNode, tempDataDir } from "../support/node-process.js";

const ENTRY = new URL("../../dist/bin/streamwell.js", import.meta.url).pathname;
const STREAM_KEY = "destination-key-that-must-stay-sealed";
const dirs: string[] = [];
const dir = () => {
  const made = tempDataDir();
  dirs.push(made);
  return made;
};
let source: string;
let backup: string;
let channel: { id: string; streamKey: string };
let restreamId: string;

function streamwell(command: string, dataDir: string, input?: string, env: Record<string, string> = {}) {
  return execa(process.execPath, [ENTRY, command], {
    env: { PATH: process.env.PATH ?? "", STREAMWELL_DATA_DIR: dataDir, STREAMWELL_LOG_LEVEL: "warn", ...env },
    extendEnv: false,
    input,
    reject: false,
    timeout: 30_000,
  });
}

beforeAll(async () => {
  source = dir();
  const node = await startNode({ dataDir: source });
  try {
    const admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
    const destination = (await admin.post("/destinations", { name: "nginx", url: "rtmp://127.0.0.1:1/live" }))
      .body;
    channel = (await admin.post("/channels", { name: "Backed up" })).body;
    restreamId = (
      await admin.post(`/channels/${channel.id}/restreams`, {
        kind: "destination",
        destinationId: destination.id,
        streamKey: STREAM_KEY,
      })
    ).body.id;
  } finally {
    await node.stop();
  }
  const result = await streamwell("backup", source);
  expect(result.exitCode, result.stderr).toBe(0);
  backup = result.stdout;
}, 60_000);

afterAll(() => {
  for (const made of dirs) removeDataDir(made);
});

it("writes the store as JSON on stdout with the secrets still sealed", () => {
  const parsed = JSON.parse(backup) as { format: string; records: { key: string }[] };
  expect(parsed.format).toBe("streamwell-backup");
  const keys = parsed.records.map((record) => record.key);
  expect(keys).toEqual(
    expect.arrayContaining([`channels.${channel.id}`, `restreams.${restreamId}`, "secrets.check"]),
  );
  expect(keys.some((key) => key.startsWith("sessions."))).toBe(false);
  expect(backup).not.toContain(STREAM_KEY);
  expect(backup).not.toContain(channel.streamKey);
  expect(backup).toContain("sealed:v1:");
});

it("restores into an empty data dir with the same key: the node serves the same records, keys and logins", async () => {
  const target = dir();
  copyFileSync(join(source, "secret.key"), join(target, "secret.key"));
  const result = await streamwell("restore", target, backup);
  expect(result.exitCode, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/restored \d+ records/);
  const node = await startNode({
    dataDir: target,
    env: { STREAMWELL_ADMIN_PASSWORD: "not-the-restored-one" },
  });
  try {
    // The restored admin's password, not the one this start would have made.
    const admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
    const restored = (await admin.get(`/channels/${channel.id}`)).body;
    expect(restored.streamKey).toBe(channel.streamKey);
    expect((await admin.get(`/restreams/${restreamId}`)).body.kind).toBe("destination");
  } finally {
    await node.stop();
  }
});

it("refuses a backup made under another secret key, and writes nothing", async () => {
  const target = dir();
  const result = await streamwell("restore", target, backup, {
    STREAMWELL_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
  });
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toMatch(/made under another secret key .*STREAMWELL_SECRET_KEY.*nothing was written/);
  expect(
    JSON.parse(
      (
        await streamwell("backup", target, undefined, {
          STREAMWELL_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
        })
      ).stdout,
    ).records,
  ).toEqual([]);
});

it("refuses to restore into a store that is not empty", async () => {
  const result = await streamwell("restore", source, backup);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toMatch(/already holds \d+ records: restore only into an empty store/);
  const after = JSON.parse((await streamwell("backup", source)).stdout) as { records: unknown[] };
  expect(after.records).toEqual((JSON.parse(backup) as { records: unknown[] }).records);
});

it("names the store's schema version, and restores a file of an older schema migrated", async () => {
  const parsed = JSON.parse(backup) as { schema?: number; records: { key: string; value: any }[] };
  expect(parsed.schema).toBe(MIGRATIONS.length);
  expect(parsed.records.map((record) => record.key)).not.toContain("schema");
  // The same file as a release before schema versions wrote it: no `schema`, channels without backupStreamKey.
  delete parsed.schema;
  for (const record of parsed.records) {
    if (record.key.startsWith("channels.")) delete record.value.backupStreamKey;
  }
  const target = dir();
  copyFileSync(join(source, "secret.key"), join(target, "secret.key"));
  const result = await streamwell("restore", target, JSON.stringify(parsed));
  expect(result.exitCode, result.stderr).toBe(0);
  expect(result.stderr).toContain(`migrated from schema version 0 to ${MIGRATIONS.length}`);
  const restored = JSON.parse((await streamwell("backup", target)).stdout) as typeof parsed;
  expect(restored.schema).toBe(MIGRATIONS.length);
  expect(
    restored.records.find((record) => record.key === `channels.${channel.id}`)?.value.backupStreamKey,
  ).toBeNull();
});

it("refuses a file of a newer schema than this release's, and writes nothing", async () => {
  const newer = { ...JSON.parse(backup), schema: MIGRATIONS.length + 1 };
  const target = dir();
  copyFileSync(join(source, "secret.key"), join(target, "secret.key"));
  const result = await streamwell("restore", target, JSON.stringify(newer));
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain(
    `this backup is at schema version ${MIGRATIONS.length + 1}, newer than this Streamwell's schema version ${MIGRATIONS.length}`,
  );
  expect(result.stderr).toContain("nothing was written");
  expect(JSON.parse((await streamwell("backup", target)).stdout).records).toEqual([]);
});

it("refuses input that is not a backup", async () => {
  const result = await streamwell("restore", dir(), '{"hello": 1}');
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toMatch(/not a Streamwell backup/);
});
