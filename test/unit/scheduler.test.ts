import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { Catalog } from "../../node/catalog/catalog.js";
import { type DestinationRecord, keys } from "../../node/catalog/records.js";
import { storedActorOrder } from "../../node/scheduler/relay-spec.js";
import { RETRY, Scheduler, type SchedulerParent } from "../../node/scheduler/scheduler.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";
import { type Store, StoreUnavailableError } from "../../node/store/store.js";
import { H264_AAC_720P } from "../support/codecs.js";

let dir: string;
let store: SqliteStore;
let catalog: Catalog;
let calls: string[];
/** Orders that said the restream's previous node vanished: "<node> <restream> from <previous>". */
let takeovers: string[];
let leader: boolean;
let up: Set<string>;
let maxRestreams: number;
let scheduler: Scheduler;
let channelId: string;
let restreamId: string;

const parent: SchedulerParent = {
  async ensureActors(nodeId, orders) {
    // The order names the restream only: what would run is what the node reads from the store.
    // Slots are taken in call order, before the reads, so calls keep the order they were made in.
    const first = calls.length;
    calls.push(...orders.map(() => ""));
    for (const order of orders)
      if (order.takeoverFrom) takeovers.push(`${nodeId} ${order.restreamId} from ${order.takeoverFrom}`);
    await Promise.all(
      orders.map(async ({ restreamId }, i) => {
        const spec = (await storedActorOrder(catalog, restreamId))?.spec;
        if (!spec) throw new Error(`no runnable restream ${restreamId} in the store`);
        const what = spec.kind === "push" ? spec.streamKey : `playback:${spec.port}`;
        calls[first + i] = `ensure ${nodeId} ${restreamId} ${what}`;
      }),
    );
    return { refused: [] };
  },
  async removeActors(nodeId, ids) {
    for (const id of ids) calls.push(`remove ${nodeId} ${id}`);
  },
  isLeader: () => leader,
  info: () => {},
  nodes: () =>
    [...up].map((id) => ({
      id,
      maxRestreams,
      publicHost: "127.0.0.1",
      srtPorts: { from: 9100, to: 9110 },
    })),
  async openChain(nodeId, link) {
    calls.push(`open ${nodeId} ${link.channelId} ${link.container}`);
  },
  async closeChain(nodeId, channelId) {
    calls.push(`close ${nodeId} ${channelId}`);
  },
  async pushChain(nodeId, link) {
    calls.push(`push ${nodeId} ${link.channelId} -> ${link.targetNodeId} ${link.container}`);
  },
  async unpushChain(nodeId, link) {
    calls.push(`unpush ${nodeId} ${link.channelId} -> ${link.targetNodeId}`);
  },
  warn: () => {},
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "streamwell-scheduler-"));
  store = SqliteStore.open(join(dir, "s.db"));
  catalog = new Catalog(store, {
    srtPorts: { from: 9000, to: 9010 },
    sessionTtlMs: 60_000,
    home: { nodeId: "n1", host: "127.0.0.1" },
  });
  calls = [];
  takeovers = [];
  leader = true;
  up = new Set(["n1", "n2", "n3"]);
  maxRestreams = 0;
  scheduler = new Scheduler(catalog, store, parent);
  const destination = await catalog.destinations.create({
    name: "Sink",
    url: "rtmp://127.0.0.1:1935/live",
    insecureSkipVerify: false,
  });
  // A real owner: creating a restream reads the channel owner's quotas.
  const owner = await catalog.users.create({ username: "owner", password: "owner-password", role: "user" });
  channelId = (await catalog.channels.create({ name: "c", ownerId: owner.id, srtIngest: false })).id;
  restreamId = (
    await catalog.createRestream(channelId, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: "k1",
    })
  ).id;
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Two started restreams, one over n1's limit: the second runs on n2, through a chain link. */
async function overflowToN2() {
  maxRestreams = 1;
  up = new Set(["n1", "n2"]);
  // Restreams are placed in creation order: make this one strictly younger than the first.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const second = await catalog.createRestream(channelId, { kind: "srt_push", url: "srt://127.0.0.1:9999" });
  await catalog.startRestream(restreamId);
  await catalog.startRestream(second.id);
  scheduler.ingestLive(channelId, "n1", H264_AAC_720P);
  await scheduler.request();
  return second;
}

describe("Scheduler", () => {
  it("places an actor once the restream is started and its channel is live, on the ingest node; stop removes it", async () => {
    scheduler.ingestLive(channelId, "n1", H264_AAC_720P);
    await scheduler.request();
    expect(calls).toEqual([]); // stopped
    await catalog.startRestream(restreamId);
    await scheduler.request();
    expect(calls).toEqual([`ensure n1 ${restreamId} k1`]);
    await scheduler.request();
    expect(calls).toHaveLength(1); // nothing changed, nothing sent
    scheduler.ingestOffline(channelId, "n1");
    await scheduler.request();
    expect(calls).toHaveLength(1); // the actor waits there for the channel (the leader may have lost touch)
    await catalog.restreams.setDesired(restreamId, "stopped");
    await scheduler.request();
    expect(calls.at(-1)).toBe(`remove n1 ${restreamId}`);
  });

  it("places a started Remote Playback on the ingest node, with its allocated port", async () => {
    const playback = await catalog.createRestream(channelId, { kind: "remote_playback", name: "p" });
    await catalog.startRestream(playback.id);
    scheduler.ingestLive(channelId, "n1", H264_AAC_720P);
    await scheduler.request();
    expect(calls).toEqual([`ensure n1 ${playback.id} playback:9000`]);
    await catalog.setFeatures({ srt: false });
    await scheduler.request();
    expect(calls.at(-1)).toBe(`remove n1 ${playback.id}`);
  });

  it("follows the publisher to another node and ignores the old node's late offline", async () => {
    await catalog.startRestream(restreamId);
    scheduler.ingestLive(channelId, "n1", H264_AAC_720P);
    await scheduler.request();
    scheduler.ingestLive(channelId, "n2", H264_AAC_720P);
    scheduler.ingestOffline(channelId, "n1");
    await scheduler.request();
    expect(calls).toEqual([
      `ensure n1 ${restreamId} k1`,
      `remove n1 ${restreamId}`,
      `ensure n2 ${restreamId} k1`,
    ]);
    expect(takeovers).toEqual([]); // n1 is still there and stops its own push: not a takeover
  });

  it("re-sends the order when the stream key changes, and removes on stop or a feature switched off", async () => {
    await catalog.startRestream(restreamId);
    scheduler.ingestLive(channelId, "n1", H264_AAC_720P);
    await scheduler.request();
    await catalog.updateRestream(restreamId, { streamKey: "k2" });
    await scheduler.request();
    expect(calls.slice(-2)).toEqual([`remove n1 ${restreamId}`, `ensure n1 ${restreamId} k2`]);
    await catalog.setFeatures({ restreaming: false });
    await scheduler.request();
    expect(calls.at(-1)).toBe(`remove n1 ${restreamId}`);
  });

  it("keeps the placement of a node that left until the channel is live elsewhere, and sends that node nothing", async () => {
    await catalog.startRestream(restreamId);
    scheduler.ingestLive(channelId, "n1", H264_AAC_720P);
    await scheduler.request();
    up.delete("n1");
    scheduler.nodeLeft("n1");
    await scheduler.request();
    expect((await catalog.placements.get(restreamId))?.nodeId).toBe("n1");
    scheduler.ingestLive(channelId, "n2", H264_AAC_720P);
    await scheduler.request();
    expect(calls).toEqual([`ensure n1 ${restreamId} k1`, `ensure n2 ${restreamId} k1`]); // no remove to a node that is gone
    expect((await catalog.placements.get(restreamId))?.nodeId).toBe("n2");
    // The destination may still hold n1's session: n2 is told whose restream it takes over.
    expect(takeovers).toEqual([`n2 ${restreamId} from n1`]);
  });

  it("pulls a backup channel's other input from another node over an input link; the hub's node gone, the feeder takes over", async () => {
    await catalog.startRestream(restreamId);
    scheduler.ingestLive(channelId, "n2", H264_AAC_720P, ["backup"]);
    scheduler.ingestLive(channelId, "n1", H264_AAC_720P, ["primary"]);
    await scheduler.request();
    expect(calls).toEqual([
      `open n2 ${channelId} flv`,
      `push n1 ${channelId} -> n2 flv`,
      `ensure n2 ${restreamId} k1`,
    ]);
    const link = await store.get<{ input?: string; sourceNodeId: string }>(`chains.${channelId}.n2`);
    expect(link?.value).toMatchObject({ input: "primary", sourceNodeId: "n1" });
    up.delete("n2");
    scheduler.nodeLeft("n2");
    await scheduler.request();
    expect(calls.slice(3)).toEqual([`unpush n1 ${channelId} -> n2`, `ensure n1 ${restreamId} k1`]);
    expect(await store.get(`chains.${channelId}.n2`)).toBeUndefined();
  });

  it("resyncs the whole ingest map from what the nodes say", async () => {
    await catalog.startRestream(restreamId);
    scheduler.syncIngests([{ channelId, nodeId: "n2", codecs: H264_AAC_720P }], scheduler.syncMark());
    await scheduler.request();
    scheduler.syncIngests([{ channelId, nodeId: "n3", codecs: H264_AAC_720P }], scheduler.syncMark());
    await scheduler.request();
    expect(calls).toEqual([
      `ensure n2 ${restreamId} k1`,
      `remove n2 ${restreamId}`,
      `ensure n3 ${restreamId} k1`,
    ]);
  });

  it("runs no round for a resync that only confirms what it knew (an idle mesh costs no reads)", async () => {
    let rounds = 0;
    const counted = new Scheduler(catalog, store, {
      ...parent,
      isLeader: () => {
        rounds += 1;
        return leader;
      },
    });
    const said = [{ channelId, nodeId: "n2", codecs: H264_AAC_720P }];
    counted.syncIngests(said, counted.syncMark());
    await counted.request();
    const settled = rounds;
    expect(settled).toBeGreaterThan(0);
    counted.syncIngests(said, counted.syncMark());
    counted.syncIngests(said, counted.syncMark());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rounds).toBe(settled);
    counted.syncIngests([], counted.syncMark()); // the channel went offline unseen: a round
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rounds).toBe(settled + 1);
    await counted.close();
  });

  it("does nothing unless it leads", async () => {
    leader = false;
    await catalog.startRestream(restreamId);
    scheduler.ingestLive(channelId, "n1", H264_AAC_720P);
    await scheduler.request();
    expect(calls).toEqual([]);
  });

  it("writes each placement with a growing epoch; a new leader re-sends them without rewriting", async () => {
    await catalog.startRestream(restreamId);
    scheduler.ingestLive(channelId, "n1", H264_AAC_720P);
    await scheduler.request();
    const first = await catalog.placements.get(restreamId);
    expect(first).toMatchObject({ nodeId: "n1", channelId });
    scheduler.ingestLive(channelId, "n2", H264_AAC_720P);
    await scheduler.request();
    const second = await catalog.placements.get(restreamId);
    expect(second?.nodeId).toBe("n2");
    expect(second?.epoch).toBeGreaterThan(first?.epoch ?? Number.POSITIVE_INFINITY);

    const successor = new Scheduler(catalog, store, parent);
    successor.syncIngests([{ channelId, nodeId: "n2", codecs: H264_AAC_720P }], successor.syncMark());
    calls = [];
    await successor.request();
    expect(calls).toEqual([`ensure n2 ${restreamId} k1`]);
    expect((await catalog.placements.get(restreamId))?.epoch).toBe(second?.epoch);
  });

  it("sends a node's placements again when it joins again", async () => {
    await catalog.startRestream(restreamId);
    scheduler.ingestLive(channelId, "n1", H264_AAC_720P);
    await scheduler.request();
    scheduler.nodeJoined("n1");
    await scheduler.request();
    expect(calls).toEqual([`ensure n1 ${restreamId} k1`, `ensure n1 ${restreamId} k1`]);
  });

  it("past the ingest node's limit, runs the restream elsewhere through one chain link, torn down when unused", async () => {
    const second = await overflowToN2();
    expect(calls).toEqual([
      `open n2 ${channelId} flv`,
      `push n1 ${channelId} -> n2 flv`,
      `ensure n1 ${restreamId} k1`,
      `ensure n2 ${second.id} null`,
    ]);
    const [link] = await store.list<{ port: number; passphrase: string }>("chains.");
    expect(link?.value.port).toBe(9100);
    expect(link?.value.passphrase).toMatch(/^\S{10,}$/);
    calls = [];
    await catalog.restreams.setDesired(second.id, "stopped");
    await scheduler.request();
    expect(calls).toEqual([
      `remove n2 ${second.id}`,
      `unpush n1 ${channelId} -> n2`,
      `close n2 ${channelId}`,
    ]);
    expect(await store.list("chains.")).toEqual([]);
    expect(await store.get("ports.srt.9100")).toBeUndefined();
  });

  it("carries a chain link in FLV for H.264 + AAC, and opens it again in MPEG-TS when the channel turns HEVC", async () => {
    await overflowToN2();
    expect(calls.filter((call) => !call.startsWith("ensure"))).toEqual([
      `open n2 ${channelId} flv`,
      `push n1 ${channelId} -> n2 flv`,
    ]);
    calls = [];
    scheduler.ingestLive(channelId, "n1", { ...H264_AAC_720P, video: "hevc" });
    await scheduler.request();
    expect(calls.filter((call) => !call.startsWith("ensure"))).toEqual([
      `open n2 ${channelId} mpegts`,
      `push n1 ${channelId} -> n2 mpegts`,
    ]);
    const [link] = await store.list<{ container: string; port: number }>("chains.");
    expect(link?.value).toMatchObject({ container: "mpegts", port: 9100 });
  });

  it("sends a node's orders in calls of at most 500 (NATS refuses messages over 1 MB), every one delivered", async () => {
    const sizes: number[] = [];
    const counting = new Scheduler(catalog, store, {
      ...parent,
      async ensureActors(nodeId, orders) {
        sizes.push(orders.length);
        return parent.ensureActors(nodeId, orders);
      },
    });
    const [destination] = await catalog.destinations.list();
    await catalog.startRestream(restreamId);
    for (let i = 0; i < 1_200; i += 1) {
      const { id } = await catalog.createRestream(channelId, {
        kind: "destination",
        destinationId: destination?.id ?? "",
        streamKey: `k${i}`,
      });
      await catalog.startRestream(id);
    }
    counting.ingestLive(channelId, "n1", H264_AAC_720P);
    await counting.request();
    expect(sizes).toEqual([500, 500, 201]);
    expect(new Set(calls).size).toBe(1_201);
  }, 90_000); // 1,201 restreams made one by one, each order read back from the store
});

describe("Scheduler, when the store refuses a placement write", () => {
  /** The real store, but its next create of a placement first runs `first` (which may throw). */
  function refusingOnce(first: (key: string, value: unknown) => Promise<void>): Store {
    let pending: typeof first | null = first;
    return new Proxy(store, {
      get(target, property) {
        if (property === "create") {
          return async (key: string, value: unknown) => {
            const before = key.startsWith("placements.") ? pending : null;
            if (before) pending = null;
            await before?.(key, value);
            return target.create(key, value);
          };
        }
        const member = Reflect.get(target, property);
        return typeof member === "function" ? member.bind(target) : member;
      },
    });
  }

  async function scheduleOn(refusing: Store) {
    const warned: string[] = [];
    const on = new Scheduler(
      new Catalog(refusing, {
        srtPorts: { from: 9000, to: 9010 },
        sessionTtlMs: 60_000,
        home: { nodeId: "n1", host: "127.0.0.1" },
      }),
      refusing,
      {
        ...parent,
        warn: (_details: Record<string, unknown>, message: string) => warned.push(message),
      },
    );
    on.ingestLive(channelId, "n1", H264_AAC_720P);
    await on.request(); // settled: the restream is stopped, nothing to place
    await catalog.startRestream(restreamId);
    await on.request(); // one round, plus any it asks for itself
    return { on, warned };
  }

  it("tries a placement that lost a compare-and-set again at once, on what the store holds now", async () => {
    const { warned } = await scheduleOn(
      refusingOnce(async (key, value) => {
        await store.create(key, { ...(value as object), nodeId: "n2" }); // another leader was first
      }),
    );
    expect(warned).toEqual(["placement changed meanwhile; trying again"]);
    // The next round read the other leader's placement and moved it back to the ingest node.
    expect(calls).toEqual([`remove n2 ${restreamId}`, `ensure n1 ${restreamId} k1`]);
  });

  it("retries after any other store failure, and says so", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const { warned } = await scheduleOn(
      refusingOnce(async () => {
        throw new StoreUnavailableError("the store did not answer");
      }),
    );
    expect(warned).toEqual(["placement write failed; trying again soon"]);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(RETRY.firstMs - 1);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1); // the retry, with no other trigger
    await vi.waitFor(() => expect(calls).toEqual([`ensure n1 ${restreamId} k1`]));
  });

  it("sends an order the node refused again after a retry delay (a node back from a cut reads the store late)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const warned: string[] = [];
    let refuse = true;
    const refusing = new Scheduler(catalog, store, {
      ...parent,
      async ensureActors(nodeId, orders) {
        if (!refuse) return parent.ensureActors(nodeId, orders);
        refuse = false;
        calls.push(`refused by ${nodeId}`);
        return { refused: orders.map((order) => order.restreamId) };
      },
      warn: (_details, message) => warned.push(message),
    });
    refusing.ingestLive(channelId, "n1", H264_AAC_720P);
    await catalog.startRestream(restreamId);
    await refusing.request();
    expect(warned).toEqual(["a node refused placement orders; trying again soon"]);
    expect(calls).toEqual(["refused by n1"]);
    await vi.advanceTimersByTimeAsync(RETRY.firstMs - 1);
    expect(calls).toEqual(["refused by n1"]);
    await vi.advanceTimersByTimeAsync(1); // the retry, with no other trigger
    await vi.waitFor(() => expect(calls).toEqual(["refused by n1", `ensure n1 ${restreamId} k1`]));
    await refusing.request();
    expect(calls).toHaveLength(2); // delivered now: not sent again
  });
});

describe("a restream's record changing", () => {
  /** The rounds the scheduler runs as leader, counted by its reads of the placements. */
  function countRounds(): () => number {
    const list = vi.spyOn(catalog.placements, "list");
    onTestFinished(() => list.mockRestore());
    return () => list.mock.calls.length;
  }

  it("costs no round when the restream is stopped and placed nowhere (a creation, a rename)", async () => {
    await scheduler.request(); // the leader's first round: it knows the placements from here
    const rounds = countRounds();
    const made = await catalog.createRestream(channelId, { kind: "srt_push", url: "srt://127.0.0.1:9998" });
    await scheduler.restreamChanged(made.id, made);
    await scheduler.restreamChanged(made.id, undefined); // deleted
    expect(rounds()).toBe(0);
  });

  it("costs no round when only a destination's uses change (each creation writes them); a new URL runs one", async () => {
    const { destinationId } = (await catalog.restreams.get(restreamId)) as { destinationId: string };
    const record = async () => (await store.get<DestinationRecord>(keys.destination(destinationId)))?.value;
    await scheduler.destinationChanged(destinationId, await record()); // the first sight of it: a round
    const rounds = countRounds();
    await catalog.createRestream(channelId, { kind: "destination", destinationId, streamKey: "k2" });
    await scheduler.destinationChanged(destinationId, await record());
    expect(rounds()).toBe(0);
    await catalog.destinations.update(destinationId, { url: "rtmp://127.0.0.1:1936/live" });
    await scheduler.destinationChanged(destinationId, await record());
    expect(rounds()).toBe(1);
    await scheduler.destinationChanged(destinationId, undefined); // deleted
    expect(rounds()).toBe(2);
  });

  it("costs no round for a creation, even while a round runs", async () => {
    const read = catalog.placements.list.bind(catalog.placements);
    const rounds = countRounds();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    vi.mocked(catalog.placements.list).mockImplementationOnce(async () => {
      await gate; // the round stays busy until the creation has been seen
      return read();
    });
    const running = scheduler.request();
    const made = await catalog.createRestream(channelId, { kind: "srt_push", url: "srt://127.0.0.1:9998" });
    const seen = scheduler.restreamChanged(made.id, made);
    release();
    await Promise.all([seen, running]);
    expect(rounds()).toBe(1); // the one asked for, none more
  });

  it("runs a round for a started restream, a placed one, and before the leader has read the placements", async () => {
    const rounds = countRounds();
    const renamed = await catalog.restreams.update(restreamId, { name: "renamed" }); // stopped, revision 2
    await scheduler.restreamChanged(restreamId, renamed); // nothing read yet
    expect(rounds()).toBe(1);
    scheduler.ingestLive(channelId, "n1", H264_AAC_720P);
    await scheduler.request();
    const started = await catalog.startRestream(restreamId);
    await scheduler.restreamChanged(restreamId, started);
    expect(calls).toContain(`ensure n1 ${restreamId} k1`);
    const placedRounds = rounds();
    // Stopped but still placed: the round removes its placement and stops its actor.
    await scheduler.restreamChanged(restreamId, await catalog.restreams.setDesired(restreamId, "stopped"));
    expect(rounds()).toBe(placedRounds + 1);
    expect(calls).toContain(`remove n1 ${restreamId}`);
  });
});
