import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RestreamActor, STALL_TIMEOUT_MS } from "../../node/actors/restream-actor.js";
import { TAKEOVER_GRACE_MS, TAKEOVER_RETRY_MS, TakeoverGrace } from "../../node/actors/takeover.js";
import type { ChannelCodecs } from "../../node/defs/codecs.js";
import type { RelayEngine, RelayEvents, RelayFailure, RelaySpec } from "../../node/defs/relay.js";
import type { ActorReport } from "../../node/defs/restream-status.js";
import { parseDestinationUrl } from "../../node/urls/destination-url.js";
import { H264_AAC_720P } from "../support/codecs.js";
import { fakeFeed } from "../support/fake-feed.js";

const H264 = H264_AAC_720P;
const HEVC: ChannelCodecs = { ...H264, video: "hevc", profile: "Main" };

function spec(url = "rtmp://127.0.0.1:1935/live", streamKey = "key-1"): RelaySpec {
  return {
    target: parseDestinationUrl(url),
    streamKey,
    insecureSkipVerify: false,
    secrets: [streamKey],
    engine: null,
  };
}

/** An engine whose relays the test drives by hand. */
class FakeEngine implements RelayEngine {
  readonly runs: { spec: RelaySpec; events: RelayEvents; stopped: boolean; exited: boolean }[] = [];

  start(_input: unknown, relaySpec: RelaySpec, events: RelayEvents) {
    const run = { spec: relaySpec, events, stopped: false, exited: false };
    this.runs.push(run);
    return {
      stop: async () => {
        run.stopped = true;
        this.exit(run, null);
      },
    };
  }

  get last() {
    const run = this.runs.at(-1);
    if (!run) throw new Error("no relay started");
    return run;
  }

  progress(bytesSent = 1000) {
    this.last.events.progress({ bitrateBps: 3_000_000, bytesSent, speed: 1 });
  }

  fail(failure: RelayFailure) {
    this.exit(this.last, failure);
  }

  exit(run: FakeEngine["runs"][number], failure: RelayFailure | null) {
    if (run.exited) return;
    run.exited = true;
    run.events.exit(failure);
  }
}

const feed = fakeFeed;

let engine: FakeEngine;
let reports: ActorReport[];
let actor: RestreamActor;
/** What the fence would answer a retry: the store still places the restream here. */
let placedHere: boolean;
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  engine = new FakeEngine();
  reports = [];
  placedHere = true;
  actor = new RestreamActor("rs_1", spec(), engine, {
    nodeId: "n1",
    changed: (r) => reports.push(r),
    mayRetry: async () => placedHere,
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("RestreamActor", () => {
  it("awaits the stream while the channel is offline, then streams once media flows", async () => {
    await actor.start();
    expect(actor.report()).toMatchObject({ state: "awaiting_stream", error: null, node: "n1" });
    expect(engine.runs).toHaveLength(0);

    await actor.setIngest(feed());
    expect(actor.current).toBe("starting");
    expect(actor.report().state).toBe("awaiting_stream");
    engine.progress();
    await settle();
    expect(actor.report()).toMatchObject({
      state: "streaming",
      stats: { bitrateBps: 3_000_000, bytesSent: 1000 },
    });
    expect(reports.map((r) => r.state)).toEqual(["streaming"]);
  });

  it("starts at once when the channel is already live", async () => {
    await actor.setIngest(feed());
    await actor.start();
    expect(engine.runs).toHaveLength(1);
    expect(engine.last.spec.streamKey).toBe("key-1");
  });

  it("goes back to awaiting when the publisher leaves, and streams again when it returns", async () => {
    const live = feed();
    await actor.setIngest(live);
    await actor.start();
    engine.progress();
    await settle();
    await actor.setIngest(null);
    expect(actor.current).toBe("streaming"); // the relay's input ends by itself
    engine.exit(engine.last, null);
    await settle();
    expect(actor.report().state).toBe("awaiting_stream");
    expect(live.closed).toBe(1);

    await actor.setIngest(feed());
    engine.progress();
    await settle();
    expect(actor.report().state).toBe("streaming");
    expect(actor.report().stats.restarts).toBe(1);
  });

  it("reports an error with retryAt and retries with a growing backoff, at most 6 attempts in 20 s", async () => {
    await actor.setIngest(feed());
    await actor.start();
    const failure: RelayFailure = { code: "destination_unreachable", message: "connection refused" };
    engine.fail(failure);
    await settle();
    const report = actor.report();
    expect(report.state).toBe("error");
    expect(report.error).toMatchObject(failure);
    const retryIn = Date.parse(report.error?.retryAt ?? "") - Date.now();
    expect(retryIn).toBeGreaterThanOrEqual(800);
    expect(retryIn).toBeLessThanOrEqual(1200);

    for (let elapsed = 0; elapsed < 20_000; elapsed += 100) {
      await vi.advanceTimersByTimeAsync(100);
      if (actor.current === "starting") engine.fail(failure);
    }
    expect(engine.runs.length).toBeGreaterThanOrEqual(4);
    expect(engine.runs.length).toBeLessThanOrEqual(6);
  });

  it("does not connect again while the store does not confirm its placement here, and retries once it does", async () => {
    await actor.setIngest(feed());
    await actor.start();
    placedHere = false; // cut off, or the placement moved while this node could not hear it
    engine.fail({ code: "destination_timeout", message: "no answer" });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(engine.runs).toHaveLength(1);
    expect(actor.report()).toMatchObject({ state: "error", error: { code: "destination_timeout" } });
    expect(actor.logs().map((line) => line.text)).toContain(
      "not retrying: the store did not confirm that this node still runs the restream",
    );
    placedHere = true;
    await vi.advanceTimersByTimeAsync(40_000);
    expect(engine.runs).toHaveLength(2);
  });

  it("aborts a relay still connecting when told (the lease lapsed), and leaves a streaming one alone", async () => {
    await actor.setIngest(feed());
    await actor.start();
    expect(actor.current).toBe("starting");
    await actor.abortConnect();
    expect(actor.current).toBe("backoff");
    expect(actor.report()).toMatchObject({ state: "error", error: { code: "destination_timeout" } });
    await vi.advanceTimersByTimeAsync(1_500);
    expect(engine.runs).toHaveLength(2);
    engine.progress();
    await settle();
    await actor.abortConnect();
    expect(actor.current).toBe("streaming");
  });

  it("keeps showing the error while a retry connects, and clears it once the retry streams", async () => {
    await actor.setIngest(feed());
    await actor.start();
    engine.fail({ code: "destination_unreachable", message: "connection refused" });
    await vi.advanceTimersByTimeAsync(1500);
    expect(actor.current).toBe("starting");
    expect(actor.report()).toMatchObject({ state: "error", error: { code: "destination_unreachable" } });
    engine.progress();
    await settle();
    expect(actor.report()).toMatchObject({ state: "streaming", error: null });
  });

  it("refuses HEVC to RTMP with unsupported_codec, no retry loop, and streams once the ingest is H.264", async () => {
    await actor.setIngest(feed(HEVC));
    await actor.start();
    expect(actor.report()).toMatchObject({
      state: "error",
      error: { code: "unsupported_codec", retryAt: null },
    });
    expect(actor.report().error?.message).toMatch(/SRT/);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(engine.runs).toHaveLength(0);

    await actor.setIngest(feed(H264));
    engine.progress();
    await settle();
    expect(actor.report().state).toBe("streaming");
  });

  it("sends HEVC to an SRT destination", async () => {
    await actor.update(spec("srt://127.0.0.1:9000", ""));
    await actor.setIngest(feed(HEVC));
    await actor.start();
    expect(engine.runs).toHaveLength(1);
  });

  it("restarts a relay that makes no progress for the stall timeout", async () => {
    await actor.setIngest(feed());
    await actor.start();
    engine.progress();
    await settle();
    await vi.advanceTimersByTimeAsync(STALL_TIMEOUT_MS + 10);
    expect(engine.runs[0]?.stopped).toBe(true);
    expect(actor.report()).toMatchObject({ state: "error", error: { code: "destination_timeout" } });
    await vi.advanceTimersByTimeAsync(1500);
    expect(engine.runs).toHaveLength(2);
  });

  it("restarts a running relay with the new destination at once on update", async () => {
    await actor.setIngest(feed());
    await actor.start();
    engine.progress();
    await settle();
    await actor.update(spec("rtmp://127.0.0.1:1935/other", "key-2"));
    expect(engine.runs[0]?.stopped).toBe(true);
    expect(engine.runs).toHaveLength(2);
    expect(engine.last.spec.streamKey).toBe("key-2");
  });

  it("stops the relay and rests in idle on stop; stop is idempotent", async () => {
    const live = feed();
    await actor.setIngest(live);
    await actor.start();
    engine.progress();
    await settle();
    await actor.stop();
    await actor.stop();
    expect(actor.current).toBe("idle");
    expect(engine.last.stopped).toBe(true);
    expect(live.closed).toBe(1);
    expect(actor.entered.idle).toBe(1);
  });

  it("cancels a pending retry on stop", async () => {
    await actor.setIngest(feed());
    await actor.start();
    engine.fail({ code: "destination_rejected", message: "refused" });
    await settle();
    await actor.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(engine.runs).toHaveLength(1);
    expect(actor.current).toBe("idle");
  });

  it("resets the backoff after 30 s of healthy streaming", async () => {
    await actor.setIngest(feed());
    await actor.start();
    const failure: RelayFailure = { code: "destination_unreachable", message: "refused" };
    for (let i = 0; i < 4; i += 1) {
      engine.fail(failure);
      await settle();
      while (actor.current !== "starting") await vi.advanceTimersByTimeAsync(100);
    }
    for (let t = 0; t < 31_000; t += 5_000) {
      engine.progress(1000 + t);
      await vi.advanceTimersByTimeAsync(5_000);
    }
    engine.fail(failure);
    await settle();
    const retryIn = Date.parse(actor.report().error?.retryAt ?? "") - Date.now();
    expect(retryIn).toBeLessThanOrEqual(1200);
  });

  it("keeps a log of what happened", async () => {
    await actor.setIngest(feed());
    await actor.start();
    engine.last.events.log("[flv] some ffmpeg line");
    engine.fail({ code: "destination_rejected", message: "the destination refused the stream" });
    await settle();
    const texts = actor.logs().map((line) => line.text);
    expect(texts).toContain("[flv] some ffmpeg line");
    expect(texts.some((t) => t.includes("destination_rejected"))).toBe(true);
  });
});

describe("RestreamActor taking over from a vanished node", () => {
  const refused: RelayFailure = { code: "destination_rejected", message: "Already publishing" };

  beforeEach(() => {
    actor = new RestreamActor(
      "rs_1",
      spec(),
      engine,
      { nodeId: "n3", changed: (r) => reports.push(r), mayRetry: async () => placedHere },
      null,
      new TakeoverGrace("n2"),
    );
  });

  it("retries a refusal every 0.5 s without an error while the old session lingers, then streams", async () => {
    await actor.setIngest(feed());
    await actor.start();
    for (let i = 0; i < 3; i += 1) {
      engine.fail(refused);
      await settle();
      expect(actor.current).toBe("lingering");
      expect(actor.report()).toMatchObject({ state: "awaiting_stream", error: null });
      await vi.advanceTimersByTimeAsync(TAKEOVER_RETRY_MS);
      expect(actor.current).toBe("starting");
    }
    expect(engine.runs).toHaveLength(4);
    engine.progress();
    await settle();
    expect(reports.map((r) => r.state)).toEqual(["streaming"]);
    expect(actor.logs().map((line) => line.text)).toContain(
      "the destination still holds the previous node's session (n2); retrying in 500 ms",
    );
  });

  it("falls back to the error and its backoff once the window is over", async () => {
    await actor.setIngest(feed());
    await actor.start();
    const connected = Date.now();
    while (Date.now() - connected < TAKEOVER_GRACE_MS) {
      engine.fail(refused);
      await vi.advanceTimersByTimeAsync(TAKEOVER_RETRY_MS);
    }
    engine.fail(refused);
    await settle();
    expect(actor.current).toBe("backoff");
    expect(actor.report()).toMatchObject({ state: "error", error: { code: "destination_rejected" } });
    expect(engine.runs.length).toBeLessThanOrEqual(TAKEOVER_GRACE_MS / TAKEOVER_RETRY_MS + 1);
  });

  it("a refusal after it streamed backs off as usual", async () => {
    await actor.setIngest(feed());
    await actor.start();
    engine.progress();
    await settle();
    engine.fail(refused);
    await settle();
    expect(actor.report()).toMatchObject({ state: "error", error: { code: "destination_rejected" } });
  });

  it("does not connect again when the store no longer places it here, and stops cleanly", async () => {
    await actor.setIngest(feed());
    await actor.start();
    placedHere = false;
    engine.fail(refused);
    await vi.advanceTimersByTimeAsync(TAKEOVER_RETRY_MS);
    expect(actor.current).toBe("backoff");
    expect(engine.runs).toHaveLength(1);
    await actor.stop();
    expect(actor.current).toBe("idle");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(engine.runs).toHaveLength(1);
  });

  it("waits for the channel when it goes offline while lingering", async () => {
    await actor.setIngest(feed());
    await actor.start();
    engine.fail(refused);
    await settle();
    await actor.setIngest(null);
    expect(actor.current).toBe("waiting");
    await vi.advanceTimersByTimeAsync(TAKEOVER_RETRY_MS * 2);
    expect(actor.current).toBe("waiting");
    expect(engine.runs).toHaveLength(1);
  });
});
