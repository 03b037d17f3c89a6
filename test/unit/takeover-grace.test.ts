import { describe, expect, it } from "vitest";
import { TAKEOVER_GRACE_MS, TakeoverGrace } from "../../node/actors/takeover.js";

function clock() {
  const at = { now: 1_000 };
  return { at, now: () => at.now };
}

describe("TakeoverGrace", () => {
  it("reads a refusal within the window after the first connect as the vanished node's session", () => {
    const { at, now } = clock();
    const grace = new TakeoverGrace("h2", now);
    expect(grace.state).toBe("armed");
    grace.connecting();
    at.now += TAKEOVER_GRACE_MS - 1;
    grace.connecting(); // a later connect does not move the window
    expect(grace.verdict("destination_rejected")).toBe("lingering_session");
    expect(grace.state).toBe("open");
  });

  it("backs off as usual after the window, and from then on", () => {
    const { at, now } = clock();
    const grace = new TakeoverGrace("h2", now);
    grace.connecting();
    at.now += TAKEOVER_GRACE_MS;
    expect(grace.verdict("destination_rejected")).toBe("back_off");
    expect(grace.state).toBe("closed");
    at.now = 0;
    expect(grace.verdict("destination_rejected")).toBe("back_off");
  });

  it("backs off on any other failure within the window, and keeps the window open", () => {
    const grace = new TakeoverGrace("h2", clock().now);
    grace.connecting();
    expect(grace.verdict("destination_unreachable")).toBe("back_off");
    expect(grace.verdict("destination_timeout")).toBe("back_off");
    expect(grace.verdict("destination_rejected")).toBe("lingering_session");
  });

  it("ends once the push has streamed: a later refusal is the destination's own", () => {
    const grace = new TakeoverGrace("h2", clock().now);
    grace.connecting();
    grace.streamed();
    expect(grace.verdict("destination_rejected")).toBe("back_off");
  });

  it("is closed for a restream that was not taken over from a vanished node", () => {
    const grace = new TakeoverGrace(undefined, clock().now);
    expect(grace.state).toBe("closed");
    grace.connecting();
    expect(grace.verdict("destination_rejected")).toBe("back_off");
  });

  it("has no window before the first connect", () => {
    const grace = new TakeoverGrace("h2", clock().now);
    expect(grace.verdict("destination_rejected")).toBe("back_off");
    expect(grace.state).toBe("armed");
  });
});
