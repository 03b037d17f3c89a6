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

beforeEach(() => {
  pids = new RecordingPids();
  ends = new ChainEnds({
    nodeId: "b",
    bindHost: "127.0.0.1",
    engine: new FfmpegEngine({ pidFile: "/dev/null", log: log as never, bindHost: "127.0.0.1" }),
    feed: () => null,
    registry: { chainStarted: () => null },
    listener: { log, pids },
    log,
  });
});

afterEach(async () => {
  await ends.stop();
  pids.killAll();
});

async function link(passphrase: string): Promise<ChainRecord> {
  return {
    channelId: "ch_1",
    sourceNodeId: "a",
    targetNodeId: "b",
    container: "mpegts",
    host: "127.0.0.1",
    port: await freeUdpPort(),
    passphrase,
  };
}

describe("ChainEnds", () => {
  it("two overlapping open() calls of one channel leave one listener, and stop() leaves no ffmpeg", async () => {
    const [first, second] = [await link("first-passphrase"), await link("second-passphrase")];
    await Promise.all([ends.open(first), ends.open(second)]);
    // The second open replaced the first listener: it was stopped before the second one started.
    expect(pids.started).toHaveLength(2);
    expect(pids.alive()).toEqual([pids.started[1]]);
    await ends.stop();
    expect(pids.alive()).toEqual([]);
  }, 30_000);

  it("close() called after open() wins, however the two overlap", async () => {
    const first = await link("first-passphrase");
    await ends.open(first);
    const changed = { ...first, port: await freeUdpPort() };
    await Promise.all([ends.open(changed), ends.close("ch_1")]);
    expect(pids.alive()).toEqual([]);
  }, 30_000);
});
