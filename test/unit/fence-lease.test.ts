import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FenceLease, LEASE_MS, RENEW_MS } from "../../node/actors/lease.js";

let lapses: number;
let storeAnswers: boolean;
let renewals: number;
let lease: FenceLease;

beforeEach(() => {
  vi.useFakeTimers();
  lapses = 0;
  renewals = 0;
  storeAnswers = true;
  lease = new FenceLease(
    () => {
      renewals += 1;
      // a cut-off store never answers
      return storeAnswers ? Promise.resolve() : new Promise(() => {});
    },
    () => {
      lapses += 1;
    },
  );
});

afterEach(() => {
  lease.stop();
  vi.useRealTimers();
});

describe("FenceLease", () => {
  it("is held while the store takes its renewals", async () => {
    await lease.start();
    expect(lease.held()).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lease.held()).toBe(true);
    expect(renewals).toBeGreaterThanOrEqual(10_000 / RENEW_MS);
    expect(lapses).toBe(0);
  });

  it("lapses once within LEASE_MS + RENEW_MS of the store going silent, with one renewal in flight", async () => {
    await lease.start();
    storeAnswers = false;
    await vi.advanceTimersByTimeAsync(RENEW_MS); // this renewal hangs
    const before = renewals;
    await vi.advanceTimersByTimeAsync(LEASE_MS);
    expect(lease.held()).toBe(false);
    expect(lapses).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lapses).toBe(1);
    expect(renewals).toBe(before); // no pile of renewals behind the hung one
  });

  it("is not held before its first renewal succeeds", async () => {
    storeAnswers = false;
    void lease.start();
    expect(lease.held()).toBe(false);
  });
});
