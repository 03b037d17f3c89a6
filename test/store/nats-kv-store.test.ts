// The JetStream KV adapter against a real nats-server: the shared contract, then what only a
// networked store has (other writers, a server restart, credentials).
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type NatsCluster, startNatsCluster } from "../../bench/support/nats-server.js";
import { type NatsEndpoint, natsEndpoint } from "../../node/mesh/nats-endpoint.js";
import { NatsKvStore } from "../../node/store/nats-kv-store.js";
import { StoreUnavailableError, type WatchEvent } from "../../node/store/store.js";
import { waitFor } from "../support/wait.js";
import { storeContract } from "./contract.js";

const TOKEN = "kv-test-token-s3cr3t";
let nats: NatsCluster;

beforeAll(async () => {
  nats = await startNatsCluster({ auth: { token: TOKEN } });
});

afterAll(async () => {
  await nats?.remove();
});

function open(
  bucket: string,
  endpoint: NatsEndpoint = natsEndpoint(nats.url, { token: TOKEN }),
): Promise<NatsKvStore> {
  // Swallow what the contract's throwing watcher raises.
  return NatsKvStore.open({ endpoint, bucket, onWatchError: () => {} });
}

storeContract("NatsKvStore", async () => {
  const store = await open(`contract-${randomUUID().slice(0, 8)}`);
  return { store, cleanup: () => store.close() };
});

describe("NatsKvStore across connections", () => {
  const opened: NatsKvStore[] = [];
  let bucket: string;

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  async function pair(): Promise<[NatsKvStore, NatsKvStore]> {
    bucket = `shared-${randomUUID().slice(0, 8)}`;
    const a = await open(bucket);
    const b = await open(bucket);
    opened.push(a, b);
    return [a, b];
  }

  it("shows one node's writes to another node's reads and watchers", async () => {
    const [a, b] = await pair();
    const seen: WatchEvent[] = [];
    b.watch("channels.", (event) => seen.push(event));
    const created = await a.create("channels.c1", { name: "one" });
    expect(await b.get("channels.c1")).toEqual({
      key: "channels.c1",
      value: { name: "one" },
      revision: created,
    });
    const updated = await b.update("channels.c1", { name: "two" }, created);
    await expect(a.update("channels.c1", { name: "stale" }, created)).rejects.toThrow("not at revision");
    await a.delete("channels.c1");
    await waitFor("the delete on the other node", () => seen.length === 3, 5_000, 20);
    expect(
      seen.map((e) => (e.op === "put" ? [e.op, e.entry.value, e.entry.revision] : [e.op, e.key])),
    ).toEqual([
      ["put", { name: "one" }, created],
      ["put", { name: "two" }, updated],
      ["delete", "channels.c1"],
    ]);
    expect(await b.list("")).toEqual([]);
  });

  it("lists every key while another node rewrites and deletes keys under it", async () => {
    const [a, b] = await pair();
    const keys = Array.from({ length: 40 }, (_, i) => `channels.c${String(i).padStart(2, "0")}`);
    for (const key of keys) await a.put(key, { n: 0 });
    let writing = true;
    const writer = (async () => {
      for (let n = 1; writing; n++) {
        const key = keys[n % keys.length] as string;
        await a.put(key, { n });
        await a.put(`channels.scratch${n % 7}`, { n });
        await a.delete(`channels.scratch${(n + 3) % 7}`);
      }
    })();
    try {
      for (let round = 0; round < 30; round++) {
        const listed = (await b.list("channels.c")).map((entry) => entry.key);
        expect(listed).toEqual(keys);
      }
    } finally {
      writing = false;
      await writer;
    }
  });

  it("keeps writes and watches across a nats-server restart", async () => {
    const [a, b] = await pair();
    const seen: string[] = [];
    b.watch("", (event) =>
      seen.push(event.op === "put" ? `${event.entry.key}=${event.entry.value}` : event.key),
    );
    await a.put("before", 1);
    await waitFor("the first event", () => seen.length === 1, 5_000, 20);

    const server = nats.servers[0];
    if (!server) throw new Error("no server");
    await server.restart();
    await a.put("after", 2);

    // A write made while the server is down waits for the reconnect instead of getting lost.
    await server.stop();
    // Readiness says no while NATS is away, without waiting for it.
    await expect(a.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    const during = a.put("during", 3);
    await server.start();
    await during;
    await a.put("later", 4);
    await waitFor("the events written after the restarts", () => seen.length >= 4, 15_000, 50);
    expect(seen).toEqual(["before=1", "after=2", "during=3", "later=4"]);
    expect((await b.list("")).map((e) => [e.key, e.value])).toEqual([
      ["after", 2],
      ["before", 1],
      ["during", 3],
      ["later", 4],
    ]);
  });

  it("names only the redacted URL when the credentials are wrong", async () => {
    const user = "streamwell";
    const url = `nats://${user}:wrong-pass-xyz@${nats.url.slice("nats://".length)}`;
    const error = await open("never", natsEndpoint(url)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain("[redacted]@127.0.0.1");
    expect(message).not.toContain("wrong-pass-xyz");
    expect(message).not.toContain(TOKEN);
  });
});
