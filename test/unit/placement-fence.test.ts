import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PlacementFence } from "../../node/actors/fence.js";
import { Catalog } from "../../node/catalog/catalog.js";
import type { Placement } from "../../node/catalog/placements.js";
import type { ActorOrder, PlacedOrder } from "../../node/defs/orders.js";
import type { ActorSpec } from "../../node/defs/relay.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";
import { waitFor } from "../support/wait.js";

const spec = {
  kind: "push",
  target: { kind: "rtmp" },
  streamKey: "k",
  insecureSkipVerify: false,
  secrets: [],
} as unknown as ActorSpec;

let dir: string;
let store: SqliteStore;
let catalog: Catalog;
let running: Set<string>;
let ran: ActorOrder[];
let fence: PlacementFence;
let leaseHeld: boolean;
let aborted: number;

const place = (restreamId: string, nodeId: string): Promise<Placement> =>
  catalog.placements.place({ restreamId, channelId: "ch_1", nodeId, fingerprint: "f" });
const order = (placement: Placement): PlacedOrder => ({
  restreamId: placement.restreamId,
  channelId: placement.channelId,
  epoch: placement.epoch,
});

/** The store's side, as the fence reads it: rs_gone was deleted, rs_moved belongs to another channel. */
const storedSpecs = {
  actorOrder: async (restreamId: string): Promise<ActorOrder | null> =>
    restreamId === "rs_gone"
      ? null
      : { restreamId, channelId: restreamId === "rs_moved" ? "ch_2" : "ch_1", spec },
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "streamwell-fence-"));
  store = SqliteStore.open(join(dir, "s.db"));
  catalog = new Catalog(store, {
    srtPorts: { from: 9000, to: 9010 },
    sessionTtlMs: 60_000,
    home: { nodeId: "n1", host: "127.0.0.1" },
  });
  running = new Set();
  ran = [];
  const host = {
    ensure: async (o: ActorOrder) => {
      ran.push(o);
      running.add(o.restreamId);
    },
    remove: async (id: string) => void running.delete(id),
    abortConnecting: async () => {
      aborted += 1;
    },
  };
  leaseHeld = true;
  aborted = 0;
  const lease = { held: () => leaseHeld };
  fence = new PlacementFence("n1", catalog.placements, host, storedSpecs, lease, {
    info: () => {},
    warn: () => {},
  });
  await fence.start();
});

afterEach(async () => {
  fence.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("PlacementFence", () => {
  it("runs an order whose placement names this node with its epoch", async () => {
    const placement = await place("rs_1", "n1");
    expect(await fence.ensure([order(placement)])).toEqual({ refused: [] });
    expect(running.has("rs_1")).toBe(true);
  });

  it("runs what the store holds for the restream, and refuses an order the store no longer backs", async () => {
    const placed = await Promise.all(["rs_1", "rs_gone", "rs_moved"].map((id) => place(id, "n1")));
    expect(await fence.ensure(placed.map(order))).toEqual({ refused: ["rs_gone", "rs_moved"] });
    expect(ran).toEqual([{ restreamId: "rs_1", channelId: "ch_1", spec }]);
  });

  it("hands the host the vanished node an order names, with what the store holds", async () => {
    const placement = await place("rs_1", "n1");
    await fence.ensure([{ ...order(placement), takeoverFrom: "n2" }]);
    expect(ran).toEqual([{ restreamId: "rs_1", channelId: "ch_1", spec, takeoverFrom: "n2" }]);
  });

  it("refuses an order for another node's placement, or with an old epoch", async () => {
    const elsewhere = await place("rs_1", "n2");
    const mine = await place("rs_2", "n1");
    const stale = { ...order(mine), epoch: mine.epoch - 1 };
    expect(await fence.ensure([order(elsewhere), stale])).toEqual({ refused: ["rs_1", "rs_2"] });
    expect(running.size).toBe(0);
  });

  it("stops the actor when its placement moves to another node or is removed", async () => {
    const first = await place("rs_1", "n1");
    const second = await place("rs_2", "n1");
    await fence.ensure([order(first), order(second)]);
    const entries = await catalog.placements.list();
    const entry1 = entries.get("rs_1");
    const entry2 = entries.get("rs_2");
    if (!entry1 || !entry2) throw new Error("placements missing");
    await catalog.placements.remove(entry1);
    await catalog.placements.remove(entry2);
    await place("rs_2", "n2");
    await waitFor("actors stopped", () => running.size === 0, 2_000, 20);
  });

  it("a remove called right after an ensure of the same restream wins", async () => {
    const placement = await place("rs_1", "n1");
    await Promise.all([fence.ensure([order(placement)]), fence.remove(["rs_1"])]);
    expect(running.has("rs_1")).toBe(false);
  });

  it("an ensure called right after a remove of the same restream runs it again", async () => {
    const placement = await place("rs_1", "n1");
    await fence.ensure([order(placement)]);
    await Promise.all([fence.remove(["rs_1"]), fence.ensure([order(placement)])]);
    expect(running.has("rs_1")).toBe(true);
  });

  it("confirms a retry from the store itself, and stops the actor whose placement moved unheard", async () => {
    const placement = await place("rs_1", "n1");
    await fence.ensure([order(placement)]);
    expect(await fence.confirm("rs_1")).toBe(true);
    fence.stop(); // a node cut off: the watch hears nothing of the move
    const entry = (await catalog.placements.list()).get("rs_1");
    if (!entry) throw new Error("placement missing");
    await catalog.placements.remove(entry);
    await place("rs_1", "n2");
    expect(running.has("rs_1")).toBe(true);
    expect(await fence.confirm("rs_1")).toBe(false);
    await waitFor("actor stopped", () => !running.has("rs_1"), 2_000, 20);
    expect(await fence.confirm("rs_unknown")).toBe(false);
  });

  it("confirms no retry without the lease, and aborts the pushes still connecting when it lapses", async () => {
    const placement = await place("rs_1", "n1");
    await fence.ensure([order(placement)]);
    leaseHeld = false;
    fence.leaseLapsed();
    expect(aborted).toBe(1);
    expect(await fence.confirm("rs_1")).toBe(false);
    expect(running.has("rs_1")).toBe(true); // the placement is still ours: the actor stays, idle
    leaseHeld = true;
    expect(await fence.confirm("rs_1")).toBe(true);
  });
});
