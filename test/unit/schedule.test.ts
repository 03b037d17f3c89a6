// What a restream's schedule has due at a given time, and what stays for later.
import { describe, expect, it } from "vitest";
import { dueStep, nextTime } from "../../node/catalog/schedule.js";

const T = Date.parse("2026-12-02T12:00:00Z");
const iso = (s: number) => new Date(T + s * 1000).toISOString();

describe("dueStep", () => {
  it("has nothing due before the first time", () => {
    expect(dueStep({ startAt: iso(10), stopAt: iso(20) }, T)).toEqual({
      desired: undefined,
      rest: { startAt: iso(10), stopAt: iso(20) },
    });
    expect(dueStep(null, T)).toEqual({ desired: undefined, rest: null });
  });

  it("starts at (or after) startAt and keeps the stop for later", () => {
    expect(dueStep({ startAt: iso(0), stopAt: iso(20) }, T)).toEqual({
      desired: "started",
      rest: { stopAt: iso(20) },
    });
    expect(dueStep({ startAt: iso(-3600) }, T)).toEqual({ desired: "started", rest: null });
  });

  it("stops at stopAt; with both past, the later (the stop) wins", () => {
    expect(dueStep({ stopAt: iso(-1) }, T)).toEqual({ desired: "stopped", rest: null });
    expect(dueStep({ startAt: iso(-20), stopAt: iso(-10) }, T)).toEqual({ desired: "stopped", rest: null });
  });
});

it("nextTime is the earliest time still to apply", () => {
  expect(nextTime({ startAt: iso(10), stopAt: iso(20) })).toBe(T + 10_000);
  expect(nextTime({ stopAt: iso(20) })).toBe(T + 20_000);
  expect(nextTime(null)).toBeUndefined();
});
