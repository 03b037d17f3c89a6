// ActorHost with real children (Remote Playback listeners, srt-fanout, which run until stopped): orders
// for one restream that overlap (a new leader delivering placements again while a move is under way)
// leave exactly the actor the host holds, and no ffmpeg that nothing will ever stop. Before the host
// queued its calls per restream, an ensure that overtook another's removal left an orphan listener.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ActorHost } from "../../node/actors/host.js";
import type { ActorOrder } from "../../node/defs/orders.js";
import { FfmpegEngine } from "../../node/ffmpeg/engine.js";
import { parsePidFile } from "../../node/ffmpeg/pidfile.js";
import { fakeFeed } from "../support/fake-feed.js";
import { isRunning } from "../support/pids.js";
import { freeUdpPort } from "../support/srt.js";

const log = { info: () => {}, warn: () => {} };
let dir: string;
let pidFile: string;
let host: ActorHost;
/** Every PID the pid file ever listed, so that none is missed when a check fails. */
const seen = new Set<number>();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "streamwell-host-"));
  pidFile = join(dir, "ffmpeg.pids");
  const engine = new FfmpegEngine({ pidFile, log: log as never, bindHost: "127.0.0.1" });
  host = new ActorHost(engine, {
    nodeId: "n1",
    log,
    report: () => {},
    feed: () => fakeFeed(),
    mayRetry: async () => true,
  });
});

afterEach(async () => {
  await host.stopAll();
  for (const pid of running()) process.kill(-pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** The ffmpegs this host started that still run. */
function running(): number[] {
  let text = "";
  try {
    text = readFileSync(pidFile, "utf8");
  } catch {
    // not written yet
  }
  for (const { pid } of parsePidFile(text)) seen.add(pid);
  return [...seen].filter(isRunning);
}

async function playback(channelId: string): Promise<ActorOrder> {
  const spec = {
    kind: "playback" as const,
    port: await freeUdpPort(),
    passphrase: "playback-passphrase",
    maxCallers: 4,
  };
  return { restreamId: "rs_1", channelId, spec };
}

describe("ActorHost", () => {
  it("two overlapping ensures that replace an actor leave one actor and one ffmpeg", async () => {
    await host.ensure(await playback("ch_a"));
    expect(running()).toHaveLength(1);
    const [b, c] = [await playback("ch_b"), await playback("ch_c")];
    await Promise.all([host.ensure(b), host.ensure(c)]);
    expect(host.counts().playback).toBe(1);
    expect(running()).toHaveLength(1);
    await host.stopAll();
    expect(running()).toEqual([]);
  }, 30_000);

  it("a remove called after an ensure wins, however the two overlap", async () => {
    await host.ensure(await playback("ch_a"));
    await Promise.all([host.ensure(await playback("ch_b")), host.remove("rs_1")]);
    expect(host.counts().playback).toBe(0);
    expect(running()).toEqual([]);
  }, 30_000);
});
