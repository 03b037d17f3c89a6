import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PLAYBACK_TRANSITIONS, PlaybackActor } from "../../node/actors/playback-actor.js";
import type {
  ListenerEngine,
  PlaybackEvents,
  PlaybackSpec,
  RelayFailure,
  RemuxEvents,
} from "../../node/defs/relay.js";
import type { ActorReport } from "../../node/defs/restream-status.js";
import { IllegalTransitionError, StateMachine } from "../../node/kit/state-machine.js";
import { H264_AAC_720P } from "../support/codecs.js";
import { type FakeFeed, fakeFeed } from "../support/fake-feed.js";

const SPEC: PlaybackSpec = {
  kind: "playback",
  port: 9000,
  passphrase: "a-passphrase-of-some-length",
  maxCallers: 2,
};

interface Run {
  readonly events: PlaybackEvents;
  readonly sent: Map<number, number>;
  readonly hungUp: number[];
  stopped: boolean;
  exited: boolean;
}

/** Listeners the test drives by hand: callers connect and leave, or the listener fails. */
class FakeListeners implements ListenerEngine {
  readonly runs: Run[] = [];
  readonly remuxes: { events: RemuxEvents; stopped: boolean }[] = [];

  serve(_spec: PlaybackSpec, events: PlaybackEvents) {
    const run: Run = { events, sent: new Map(), hungUp: [], stopped: false, exited: false };
    this.runs.push(run);
    return {
      send: (caller: number, bytes: Buffer) => {
        run.sent.set(caller, (run.sent.get(caller) ?? 0) + bytes.length);
        return true;
      },
      hangUp: (caller: number) => {
        run.hungUp.push(caller);
      },
      stop: async () => {
        run.stopped = true;
        this.exit(null, run);
      },
    };
  }

  remux(_input: unknown, events: RemuxEvents) {
    const remux = { events, stopped: false };
    this.remuxes.push(remux);
    return {
      stop: async () => {
        remux.stopped = true;
      },
    };
  }

  get last(): Run {
    const run = this.runs.at(-1);
    if (!run) throw new Error("no listener started");
    return run;
  }

  exit(failure: RelayFailure | null, run = this.last) {
    if (run.exited) return;
    run.exited = true;
    run.events.exit(failure);
  }
}

let listeners: FakeListeners;
let reports: ActorReport[];
let actor: PlaybackActor;
let feed: FakeFeed;
const settle = () => vi.advanceTimersByTimeAsync(0);
const logText = () => actor.logs().map((line) => line.text);

beforeEach(() => {
  vi.useFakeTimers();
  listeners = new FakeListeners();
  reports = [];
  feed = fakeFeed(H264_AAC_720P, "mpegts");
  actor = new PlaybackActor("rs_p", SPEC, listeners, {
    nodeId: "n1",
    changed: (r) => reports.push(r),
    mayRetry: async () => true,
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("PlaybackActor", () => {
  it("waits without a listener while the channel is not live", async () => {
    await actor.start();
    expect(actor.current).toBe("waiting");
    expect(actor.report().state).toBe("awaiting_stream");
    expect(listeners.runs).toHaveLength(0);
  });

  it("gives each caller its own reader, streams while any caller pulls, and logs each one", async () => {
    await actor.setIngest(feed);
    await actor.start();
    expect(actor.current).toBe("listening");
    expect(actor.report().state).toBe("awaiting_stream");
    expect(feed.readers).toBe(0); // nothing is read before a caller

    listeners.last.events.connected(1, "127.0.0.1:5001");
    listeners.last.events.connected(2, "127.0.0.1:5002");
    await settle();
    expect(actor.current).toBe("streaming");
    expect(reports.at(-1)?.state).toBe("streaming");
    expect(feed.readers).toBe(2);
    feed.streams[0]?.write(Buffer.alloc(188));
    feed.streams[1]?.write(Buffer.alloc(376));
    expect([...listeners.last.sent]).toEqual([
      [1, 188],
      [2, 376],
    ]);
    expect(actor.report().stats.bytesSent).toBe(564);

    listeners.last.events.refused("127.0.0.1:5003");
    listeners.last.events.left(1, "disconnected");
    await settle();
    expect(actor.current).toBe("streaming");
    expect(feed.closed).toBe(1);
    listeners.last.events.left(2, "disconnected");
    await settle();
    expect(actor.current).toBe("listening");
    expect(listeners.runs).toHaveLength(1); // the listener stays for the next callers
    expect(reports.at(-1)?.state).toBe("awaiting_stream");
    expect(logText()).toEqual(
      expect.arrayContaining([
        "caller 1 connected from 127.0.0.1:5001 (1 of 2)",
        "caller 2 connected from 127.0.0.1:5002 (2 of 2)",
        "refused a caller from 127.0.0.1:5003: 2 callers already connected (maxCallers)",
        "caller 1 left (disconnected); 1 connected",
        "caller 2 left (disconnected); 0 connected",
      ]),
    );
    expect(logText().join("\n")).not.toContain(SPEC.passphrase);
  });

  it("hangs up on a caller whose feed ended (the publisher left)", async () => {
    await actor.setIngest(feed);
    await actor.start();
    listeners.last.events.connected(1, "127.0.0.1:5001");
    await settle();
    feed.streams[0]?.end();
    feed.streams[0]?.resume();
    await settle();
    expect(listeners.last.hungUp).toEqual([1]);
  });

  it("remuxes an FLV channel per caller and stops the remux when the caller leaves", async () => {
    await actor.setIngest(fakeFeed());
    await actor.start();
    listeners.last.events.connected(1, "127.0.0.1:5001");
    await settle();
    expect(listeners.remuxes).toHaveLength(1);
    listeners.remuxes[0]?.events.data(Buffer.alloc(1316));
    expect(listeners.last.sent.get(1)).toBe(1316);
    listeners.last.events.left(1, "disconnected");
    await settle();
    expect(listeners.remuxes[0]?.stopped).toBe(true);
  });

  it("retries a listener that failed, with backoff, shown as Error", async () => {
    await actor.setIngest(feed);
    await actor.start();
    listeners.exit({ code: "internal", message: "bind failed" });
    await settle();
    expect(actor.current).toBe("backoff");
    const report = actor.report();
    expect(report.state).toBe("error");
    expect(report.error).toMatchObject({ code: "internal", message: "bind failed" });
    expect(Date.parse(report.error?.retryAt ?? "")).toBeGreaterThan(Date.now());
    await vi.advanceTimersByTimeAsync(2_000);
    expect(actor.current).toBe("listening");
    expect(actor.report()).toMatchObject({ state: "awaiting_stream", stats: { restarts: 1 } });
  });

  it("closes the listener and every caller's reader when the channel goes offline or the restream stops", async () => {
    await actor.setIngest(feed);
    await actor.start();
    listeners.last.events.connected(1, "127.0.0.1:5001");
    listeners.last.events.connected(2, "127.0.0.1:5002");
    await settle();
    await actor.setIngest(null);
    expect(actor.current).toBe("waiting");
    expect(listeners.last.stopped).toBe(true);
    expect(feed.closed).toBe(2);

    await actor.setIngest(feed);
    expect(actor.current).toBe("listening");
    await actor.stop();
    expect(actor.current).toBe("idle");
    expect(listeners.last.stopped).toBe(true);
    expect(listeners.runs).toHaveLength(2);
  });

  it("hangs up on a caller of a listener it already stopped", async () => {
    await actor.setIngest(feed);
    await actor.start();
    const old = listeners.last;
    await actor.setIngest(fakeFeed(H264_AAC_720P, "mpegts")); // codecs changed: a new listener
    old.events.connected(1, "127.0.0.1:5001");
    await settle();
    expect(actor.current).toBe("listening");
    expect(old.hungUp).toEqual([1]);
    expect(feed.readers).toBe(0);
  });

  it("rejects moves its transition table does not list", () => {
    const machine = new StateMachine("test", PLAYBACK_TRANSITIONS, "idle");
    expect(() => machine.move("streaming")).toThrow(IllegalTransitionError);
    machine.move("listening");
    machine.move("streaming");
    expect(() => machine.move("waiting")).toThrow(IllegalTransitionError);
    expect(machine.entered).toMatchObject({ listening: 1, streaming: 1, backoff: 0 });
  });
});
