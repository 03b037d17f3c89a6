import { describe, expect, it } from "vitest";
import {
  type ActorReport,
  deriveStatus,
  IDLE_STATS,
  type RestreamError,
  type RestreamStats,
} from "../../node/defs/restream-status.js";

const ZERO: RestreamStats = { bitrateBps: 0, bytesSent: 0, uptimeSeconds: 0, restarts: 0, speed: 0 };
const LIVE_STATS: RestreamStats = {
  bitrateBps: 4_500_000,
  bytesSent: 123_456_789,
  uptimeSeconds: 321,
  restarts: 2,
  speed: 1.01,
};
const ERROR: RestreamError = {
  code: "destination_unreachable",
  message: "connection refused",
  retryAt: "2030-01-01T00:00:10.000Z",
};

function actor(state: ActorReport["state"], error: RestreamError | null = null): ActorReport {
  return { state, error, node: "node-b", stats: LIVE_STATS };
}

describe("deriveStatus", () => {
  it("has zero idle stats", () => {
    expect(IDLE_STATS).toEqual(ZERO);
  });

  it.each([
    ["no actor", undefined],
    ["a streaming actor", actor("streaming")],
    ["an erroring actor", actor("error", ERROR)],
    ["an awaiting actor", actor("awaiting_stream")],
  ])("desired stopped -> stopped whatever the actor says (%s)", (_what, report) => {
    for (const featuresOn of [true, false]) {
      expect(deriveStatus({ desired: "stopped", featuresOn, actor: report })).toEqual({
        state: "stopped",
        error: null,
        node: null,
        stats: ZERO,
        holding: false,
      });
    }
  });

  it("feature off -> stopped even when started and streaming", () => {
    expect(deriveStatus({ desired: "started", featuresOn: false, actor: actor("streaming") })).toEqual({
      state: "stopped",
      error: null,
      node: null,
      stats: ZERO,
      holding: false,
    });
    expect(deriveStatus({ desired: "started", featuresOn: false, actor: undefined }).state).toBe("stopped");
  });

  it("started with no actor -> awaiting_stream, node null, zero stats", () => {
    expect(deriveStatus({ desired: "started", featuresOn: true, actor: undefined })).toEqual({
      state: "awaiting_stream",
      error: null,
      node: null,
      stats: ZERO,
      holding: false,
    });
  });

  it("actor streaming -> streaming with its node and stats", () => {
    expect(deriveStatus({ desired: "started", featuresOn: true, actor: actor("streaming") })).toEqual({
      state: "streaming",
      error: null,
      node: "node-b",
      stats: LIVE_STATS,
      holding: false,
    });
  });

  it("holding only while streaming: a slate on air", () => {
    const holding = { ...actor("streaming"), holding: true };
    expect(deriveStatus({ desired: "started", featuresOn: true, actor: holding }).holding).toBe(true);
    const waiting = { ...actor("awaiting_stream"), holding: true };
    expect(deriveStatus({ desired: "started", featuresOn: true, actor: waiting }).holding).toBe(false);
    expect(deriveStatus({ desired: "stopped", featuresOn: true, actor: holding }).holding).toBe(false);
  });

  it("actor awaiting_stream -> awaiting_stream on its node", () => {
    expect(deriveStatus({ desired: "started", featuresOn: true, actor: actor("awaiting_stream") })).toEqual({
      state: "awaiting_stream",
      error: null,
      node: "node-b",
      stats: LIVE_STATS,
      holding: false,
    });
  });

  it("actor error -> error with code, message and retryAt", () => {
    const status = deriveStatus({ desired: "started", featuresOn: true, actor: actor("error", ERROR) });
    expect(status).toEqual({
      state: "error",
      error: ERROR,
      node: "node-b",
      stats: LIVE_STATS,
      holding: false,
    });
    expect(status.error?.code).toBe("destination_unreachable");
    expect(status.error?.message).toBe("connection refused");
    expect(status.error?.retryAt).toBe("2030-01-01T00:00:10.000Z");
  });

  it("keeps a null retryAt", () => {
    const error: RestreamError = { code: "unsupported_codec", message: "HEVC", retryAt: null };
    expect(
      deriveStatus({ desired: "started", featuresOn: true, actor: actor("error", error) }).error,
    ).toEqual(error);
  });

  it.each(["streaming", "awaiting_stream"] as const)(
    "error is null when the actor is %s, even if it sent one",
    (state) => {
      expect(
        deriveStatus({ desired: "started", featuresOn: true, actor: actor(state, ERROR) }).error,
      ).toBeNull();
    },
  );
});
