import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PLAYBACK_TRANSITIONS, PlaybackActor } from "../../node/actors/playback-actor.js";
import type { ListenerEngine, ListenerEvents, PlaybackSpec, RelayFailure } from "../../node/defs/relay.js";
import type { ActorReport } from "../../node/defs/restream-status.js";
import { IllegalTransitionError, StateMachine } from "../../node/kit/state-machine.js";
import { type FakeFeed, fakeFeed } from "../support/fake-feed.js";

const SPEC: PlaybackSpec = { kind: "playback", port: 9000, passphrase: "a-passphrase-of-some-length" };

/** Listeners the test drives by hand: a caller connects, leaves, or the listener fails. */
class FakeListeners implements ListenerEngine {
  readonly runs: { events: ListenerEvents; stopped: boolean; exited: boolean }[] = [];

  listen(_input: unknown, _spec: PlaybackSpec, events: ListenerEvents) {
    const run = { events, stopped: false, exited: false };
    this.runs.push(run);
    return {
      stop: async () => {
        run.stopped = true;
        this.exit(null, run);
      },
    };
  }

  get last() {
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

beforeEach(() => {
  vi.useFakeTimers();
  listeners = new FakeListeners();
  reports = [];
  feed = fakeFeed();
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

  it("listens while live, streams while a caller pulls, and listens afresh when it leaves", async () => {
    await actor.setIngest(feed);
    await actor.start();
    expect(actor.current).toBe("listening");
    expect(actor.report().state).toBe("awaiting_stream");
    expect(feed.resumed).toBe(0); // nothing flows before a caller

    listeners.last.events.connected();
    await settle();
    expect(actor.current).toBe("streaming");
    expect(feed.resumed).toBe(1);
    expect(reports.at(-1)?.state).toBe("streaming");

    listeners.exit(null); // the caller left
    await settle();
    expect(actor.current).toBe("listening");
    expect(listeners.runs).toHaveLength(2);
    expect(feed).toMatchObject({ readers: 2, closed: 1 });
    expect(reports.at(-1)?.state).toBe("awaiting_stream");
  });

  it("retries a listener that failed before any caller, with backoff, shown as Error", async () => {
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

  it("closes the listener when the channel goes offline or the restream stops", async () => {
    await actor.setIngest(feed);
    await actor.start();
    listeners.last.events.connected();
    await actor.setIngest(null);
    expect(actor.current).toBe("waiting");
    expect(listeners.last.stopped).toBe(true);
    expect(feed.closed).toBe(1);

    await actor.setIngest(feed);
    expect(actor.current).toBe("listening");
    await actor.stop();
    expect(actor.current).toBe("idle");
    expect(listeners.last.stopped).toBe(true);
    expect(listeners.runs).toHaveLength(2);
  });

  it("ignores a caller event from a listener it already stopped", async () => {
    await actor.setIngest(feed);
    await actor.start();
    const old = listeners.last;
    await actor.setIngest(fakeFeed()); // codecs changed: a new listener
    old.events.connected();
    await settle();
    expect(actor.current).toBe("listening");
  });

  it("rejects moves its transition table does not list", () => {
    const machine = new StateMachine("test", PLAYBACK_TRANSITIONS, "idle");
    expect(() => machine.move("streaming")).toThrow(IllegalTransitionError);
    machine.move("listening");
    machine.move("streaming");
    expect(() => machine.move("backoff")).toThrow(IllegalTransitionError);
    expect(machine.entered).toMatchObject({ listening: 1, streaming: 1, backoff: 0 });
  });
});
