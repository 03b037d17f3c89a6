// A chain link's target end with real ffmpeg SRT listeners: calls that overlap (a new leader
// delivering links again while the old orders still run) leave exactly the listener the map holds,
// and no ffmpeg that nothing will ever stop. Before ChainEnds queued its calls per channel, the
// first test left an orphan ffmpeg listening and the second a listener that close() had asked away.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChainEnds } from "../../node/actors/chain-ends.js";
import type { ChainRecord } from "../../node/defs/orders.js";
import { FfmpegEngine } from "../../node/ffmpeg/engine.js";
import { RecordingPids } from "../support/pids.js";
import { freeUdpPort } from "../support/srt.js";

const log = { info: () => {}, warn: () => {} };
let pids: RecordingPids;
let ends: ChainEnds;
/** The store's chain records, by channel and target (the store's key): what each end reads. */
let records: Map<string, ChainRecord>;

beforeEach(() => {
  pids = new RecordingPids();
  records = new Map();
  ends = new ChainEnds({
    nodeId: "b",
    bindHost: "127.0.0.1",
    engine: new FfmpegEngine({ pidFile: "/dev/null", log: log as never, bindHost: "127.0.0.1" }),
    feed: () => null,
    registry: { chainStarted: () => null, linkedInputStarted: () => null },
    listener: { log, pids },
    log,
    record: async (order) => records.get(`${order.channelId}.${order.targetNodeId}`),
  });
});

afterEach(async () => {
  await ends.stop();
  pids.killAll();
});

/** A link record as the leader would store it (the last one made is the store's). */
async function link(passphrase: string): Promise<ChainRecord> {
  const record: ChainRecord = {
    channelId: "ch_1",
    sourceNodeId: "a",
    targetNodeId: "b",
    container: "mpegts",
    host: "127.0.0.1",
    port: await freeUdpPort(),
    passphrase,
  };
  records.set(`${record.channelId}.${record.targetNodeId}`, record);
  return record;
}

/** Opens the link as the store holds it when the call runs. */
function open(record: ChainRecord): Promise<void> {
  records.set(`${record.channelId}.${record.targetNodeId}`, record);
  return ends.open(record);
}

describe("ChainEnds", () => {
  it("two overlapping open() calls of one channel leave one listener, and stop() leaves no ffmpeg", async () => {
    const [first, second] = [await link("first-passphrase"), await link("second-passphrase")];
    await Promise.all([open(first), open(second)]);
    // Both orders run what the store holds when they run (the second record): one listener, no orphan.
    expect(pids.alive()).toHaveLength(1);
    expect(pids.alive()).toEqual(pids.started.slice(-1));
    await ends.stop();
    expect(pids.alive()).toEqual([]);
  }, 30_000);

  it("close() called after open() wins, however the two overlap", async () => {
    const first = await link("first-passphrase");
    await open(first);
    const changed = { ...first, port: await freeUdpPort() };
    await Promise.all([open(changed), ends.close("ch_1")]);
    expect(pids.alive()).toEqual([]);
  }, 30_000);

  it("opens and pushes only what the store's record says, and only when it names this node", async () => {
    const stored = await link("stored-passphrase");
    await ends.open({ ...stored, targetNodeId: "a" }); // no record for that target
    records.set("ch_1.b", { ...stored, targetNodeId: "c" }); // the record names another node
    await ends.open(stored);
    await ends.push({ ...stored, sourceNodeId: "b" }); // this node is not the store's source
    expect(pids.started).toEqual([]);
  }, 30_000);
});
