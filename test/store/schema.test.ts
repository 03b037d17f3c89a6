// The schema version and its migrations (node/store/schema.ts) on both adapters, each with two
// connections to one store as two nodes have: a store written at version N-1 is migrated exactly
// once when both start at the same time (one claims, the other waits for the new version), and code
// older than the stored schema is refused with both versions named, writing nothing.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsCluster, startNatsCluster } from "../../bench/support/nats-server.js";
import { createLogger } from "../../node/kit/log.js";
import { natsEndpoint } from "../../node/mesh/nats-endpoint.js";
import { NatsKvStore } from "../../node/store/nats-kv-store.js";
import { ensureSchema, type Migration, migration, SCHEMA_KEY, SchemaError } from "../../node/store/schema.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";
import type { Store } from "../../node/store/store.js";
import { removeDataDir, tempDataDir } from "../support/node-process.js";

interface Thing {
  readonly id: string;
  readonly colour?: string;
}

const THINGS = 20;
const log = createLogger("silent", {});

/** The fixture schema: version 1 is what the store was written at; version 2 fills a default field. */
function fixtureMigrations(calls: string[]): Migration[] {
  return [
    migration<Thing>({ version: 1, summary: "things exist", prefix: "things.", migrate: () => undefined }),
    migration<Thing>({
      version: 2,
      summary: "things: colour grey where absent",
      prefix: "things.",
      migrate: (thing) => {
        if (thing.colour !== undefined) return undefined;
        calls.push(thing.id);
        return { ...thing, colour: "grey" };
      },
    }),
  ];
}

async function writeAtVersionOne(store: Store): Promise<void> {
  await store.create(SCHEMA_KEY, { version: 1, migrating: null });
  for (let i = 0; i < THINGS; i += 1) await store.create(`things.t${i}`, { id: `t${i}` });
  await store.create("things.painted", { id: "painted", colour: "red" });
}

function schemaCases(
  name: string,
  openPair: () => Promise<{ a: Store; b: Store; cleanup: () => Promise<void> }>,
) {
  describe(name, () => {
    it("migrates a store at version N-1 exactly once when two nodes start at the same time", async () => {
      const { a, b, cleanup } = await openPair();
      try {
        await writeAtVersionOne(a);
        const calls: string[] = [];
        const migrations = fixtureMigrations(calls);
        const outcomes = await Promise.all([
          ensureSchema(a, migrations, { nodeId: "n1", log }),
          ensureSchema(b, migrations, { nodeId: "n2", log }),
        ]);
        expect(outcomes.map((outcome) => outcome.version)).toEqual([2, 2]);
        expect(outcomes.map((outcome) => outcome.migrated).sort()).toEqual([[], [2]]);
        expect(outcomes.map((outcome) => outcome.changed).sort((x, y) => x - y)).toEqual([0, THINGS]);
        expect(calls.sort()).toEqual(Array.from({ length: THINGS }, (_, i) => `t${i}`).sort());
        expect((await b.get(SCHEMA_KEY))?.value).toEqual({ version: 2, migrating: null });
        const things = (await b.list<Thing>("things.")).map((entry) => entry.value.colour);
        expect(things.filter((colour) => colour === "grey")).toHaveLength(THINGS);
        expect(things).toContain("red");
        // A later start finds the version current and runs nothing.
        expect(await ensureSchema(b, migrations, { nodeId: "n2", log })).toEqual({
          version: 2,
          migrated: [],
          changed: 0,
        });
      } finally {
        await cleanup();
      }
    });

    it("refuses code older than the stored schema, naming both versions, and writes nothing", async () => {
      const { a, cleanup } = await openPair();
      try {
        await writeAtVersionOne(a);
        const calls: string[] = [];
        await ensureSchema(a, fixtureMigrations(calls), { nodeId: "n1", log });
        const before = await a.list("");
        const older = fixtureMigrations(calls).slice(0, 1);
        const refusal = await ensureSchema(a, older, { nodeId: "old", log }).catch((error: unknown) => error);
        expect(refusal).toBeInstanceOf(SchemaError);
        expect((refusal as Error).message).toMatch(
          /this store is at schema version 2, newer than this Streamwell's schema version 1: .*nothing was written/,
        );
        expect(await a.list("")).toEqual(before);
      } finally {
        await cleanup();
      }
    });

    it("starts a new store at the code's version with nothing to migrate", async () => {
      const { a, cleanup } = await openPair();
      try {
        const calls: string[] = [];
        expect(await ensureSchema(a, fixtureMigrations(calls), { nodeId: "n1", log })).toEqual({
          version: 2,
          migrated: [],
          changed: 0,
        });
        expect((await a.get(SCHEMA_KEY))?.value).toEqual({ version: 2, migrating: null });
      } finally {
        await cleanup();
      }
    });
  });
}

schemaCases("SQLite, two connections to one file", async () => {
  const dir = tempDataDir();
  const file = `${dir}/streamwell.db`;
  const a = SqliteStore.open(file);
  const b = SqliteStore.open(file);
  return {
    a,
    b,
    cleanup: async () => {
      await a.close();
      await b.close();
      removeDataDir(dir);
    },
  };
});

let nats: NatsCluster;
beforeAll(async () => {
  nats = await startNatsCluster();
});
afterAll(async () => {
  await nats?.remove();
});

schemaCases("JetStream KV, two connections to one bucket", async () => {
  const bucket = `schema-${randomUUID().slice(0, 8)}`;
  const open = (name: string) =>
    NatsKvStore.open({ endpoint: natsEndpoint(nats.url), bucket, name, onWatchError: () => {} });
  const a = await open("n1");
  const b = await open("n2");
  return {
    a,
    b,
    cleanup: async () => {
      await a.close();
      await b.close();
    },
  };
});
