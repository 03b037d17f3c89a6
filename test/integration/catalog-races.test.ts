// Checks that span records, raced: two catalogs (two nodes) on one store, each with its own
// connection, send requests at the same instant, many rounds, on both store adapters (SQLite: two
// connections to one file; JetStream KV: two connections to one bucket of a real nats-server).
// Every check here was read-then-write before and let both racers through; now each is one
// compare-and-set write that the second racer's retry sees.

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsCluster, startNatsCluster } from "../../bench/support/nats-server.js";
import { Catalog } from "../../node/catalog/catalog.js";
import { ConflictError, ForbiddenError } from "../../node/defs/errors.js";
import { natsEndpoint } from "../../node/mesh/nats-endpoint.js";
import { NatsKvStore } from "../../node/store/nats-kv-store.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";
import type { Store } from "../../node/store/store.js";

const ROUNDS = 30;
const QUOTA = 5;
const RACERS = 20;

interface Adapter {
  readonly name: string;
  /** Two connections to one new store. */
  open(): Promise<[Store, Store]>;
}

let nats: NatsCluster;
let dir: string;

beforeAll(async () => {
  nats = await startNatsCluster();
  dir = mkdtempSync(join(tmpdir(), "streamwell-races-"));
}, 30_000);

afterAll(async () => {
  await nats?.remove();
  rmSync(dir, { recursive: true, force: true });
});

const ADAPTERS: Adapter[] = [
  {
    name: "SQLite, two connections to one file",
    async open() {
      const file = join(dir, `${randomUUID()}.db`);
      return [SqliteStore.open(file), SqliteStore.open(file)];
    },
  },
  {
    name: "JetStream KV, two connections to one bucket",
    async open() {
      const bucket = `races-${randomUUID().slice(0, 8)}`;
      const open = () => NatsKvStore.open({ endpoint: natsEndpoint(nats.url), bucket });
      return [await open(), await open()];
    },
  },
];

function catalogOn(store: Store): Catalog {
  return new Catalog(store, {
    srtPorts: { from: 9000, to: 9099 },
    sessionTtlMs: 3_600_000,
    home: { nodeId: "n1", host: "127.0.0.1" },
  });
}

/** Runs `test` with two catalogs on one new store of the adapter, and closes both. */
async function withTwoNodes(
  adapter: Adapter,
  test: (a: Catalog, b: Catalog) => Promise<void>,
): Promise<void> {
  const [storeA, storeB] = await adapter.open();
  try {
    await test(catalogOn(storeA), catalogOn(storeB));
  } finally {
    await Promise.all([storeA.close(), storeB.close()]);
  }
}

/**
 * How long the second racer waits, to sweep the first one's window (it does several reads before
 * it writes): rounds 1-10 yield to the event loop 0-9 times (SQLite answers within one), the
 * others wait 0-9 ms (a NATS round trip).
 */
async function stagger(round: number): Promise<void> {
  const step = (round - 1) % 10;
  for (let i = 0; i < step; i++) {
    await (round <= 10
      ? new Promise((resolve) => setImmediate(resolve))
      : new Promise((resolve) => setTimeout(resolve, 1)));
  }
}

function quotaOutcomes(results: PromiseSettledResult<unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const what =
      r.status === "fulfilled" ? "ok" : r.reason instanceof ForbiddenError ? "forbidden" : String(r.reason);
    counts[what] = (counts[what] ?? 0) + 1;
  }
  return counts;
}

function outcomes(results: PromiseSettledResult<unknown>[]): string[] {
  return results
    .map((r) =>
      r.status === "fulfilled" ? "ok" : r.reason instanceof ConflictError ? "conflict" : String(r.reason),
    )
    .sort();
}

for (const adapter of ADAPTERS) {
  describe(adapter.name, () => {
    it(`the last two admins, demoted or deleted at once from two nodes: one goes, one stays (${ROUNDS} rounds)`, async () => {
      await withTwoNodes(adapter, async (a, b) => {
        let survivor = (
          await a.users.create({ username: "admin0", password: "admin-password", role: "admin" })
        ).id;
        for (let round = 1; round <= ROUNDS; round++) {
          const other = (
            await b.users.create({ username: `admin${round}`, password: "admin-password", role: "admin" })
          ).id;
          const remove = (catalog: Catalog, id: string, demote: boolean) =>
            demote ? catalog.users.update(id, { role: "user" }) : catalog.deleteUser(id);
          const results = await Promise.allSettled([
            remove(a, survivor, round % 2 === 0),
            remove(b, other, round % 3 === 0),
          ]);
          const admins = (await a.users.list()).filter((user) => user.role === "admin");
          expect({ round, outcomes: outcomes(results), admins: admins.length }).toEqual({
            round,
            outcomes: ["conflict", "ok"],
            admins: 1,
          });
          survivor = admins[0]?.id as string;
        }
      });
    }, 120_000);

    it(`a destination deleted while a restream is created against it: one wins, nothing dangles (${ROUNDS} rounds)`, async () => {
      await withTwoNodes(adapter, async (a, b) => {
        const owner = await a.users.create({ username: "owner", password: "owner-password", role: "user" });
        const channel = await a.createChannel({ name: "main", ownerId: owner.id, srtIngest: false });
        const won = { restream: 0, deletion: 0 };
        for (let round = 1; round <= ROUNDS; round++) {
          const destination = await b.destinations.create({
            name: `dest${round}`,
            url: "rtmp://a.rtmp.youtube.com/live2",
            insecureSkipVerify: false,
          });
          const results = await Promise.allSettled([
            a.createRestream(channel.id, {
              kind: "destination",
              destinationId: destination.id,
              streamKey: "key",
            }),
            stagger(round).then(() => b.deleteDestination(destination.id)),
          ]);
          expect({ round, ok: results.filter((r) => r.status === "fulfilled").length }).toEqual({
            round,
            ok: 1,
          });
          if (results[0].status === "fulfilled") won.restream++;
          else won.deletion++;
          const destinations = new Set((await a.destinations.list()).map((d) => d.id));
          const dangling = (await a.restreams.list()).filter(
            (r) => r.kind === "destination" && !destinations.has(r.destinationId),
          );
          expect({ round, dangling }).toEqual({ round, dangling: [] });
        }
        console.info(
          `${adapter.name}: the restream won ${won.restream}, the deletion ${won.deletion} of ${ROUNDS}`,
        );
      });
    }, 120_000);

    it("20 creations at once, 10 from each node, with room for 5: exactly 5 channels, then 5 restreams", async () => {
      await withTwoNodes(adapter, async (a, b) => {
        for (let round = 1; round <= 3; round++) {
          const user = await a.users.create({
            username: `user${round}`,
            password: "user-password",
            role: "user",
          });
          await a.users.update(user.id, { quotas: { channels: QUOTA, restreams: QUOTA } });
          const channels = await Promise.allSettled(
            Array.from({ length: RACERS }, (_, i) =>
              (i % 2 ? a : b).createChannel({ name: `c${i}`, ownerId: user.id, srtIngest: false }),
            ),
          );
          const owned = (await a.channels.list()).filter((c) => c.ownerId === user.id);
          expect({ round, outcomes: quotaOutcomes(channels), owned: owned.length }).toEqual({
            round,
            outcomes: { ok: QUOTA, forbidden: RACERS - QUOTA },
            owned: QUOTA,
          });
          const channelId = owned[0]?.id as string;
          const restreams = await Promise.allSettled(
            Array.from({ length: RACERS }, (_, i) =>
              (i % 2 ? a : b).createRestream(channelId, { kind: "srt_push", url: "srt://198.51.100.1:9000" }),
            ),
          );
          const made = (await a.restreams.list()).filter((r) => r.channelId === channelId);
          expect({ round, outcomes: quotaOutcomes(restreams), made: made.length }).toEqual({
            round,
            outcomes: { ok: QUOTA, forbidden: RACERS - QUOTA },
            made: QUOTA,
          });
        }
      });
    }, 120_000);
  });
}
