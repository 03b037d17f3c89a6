import { describe, expect, it } from "vitest";
import { type LoginAttempt, LoginThrottle } from "../../node/auth/login-throttle.js";

const WINDOW = 15 * 60_000;

function setUp() {
  let now = 1_000_000;
  const throttle = new LoginThrottle({ perUser: 5, perAddress: 20, windowMs: WINDOW }, () => now);
  const attempt = (user: string, address = "10.0.0.1") => throttle.begin(user, address);
  const fail = (user: string, address = "10.0.0.1") => (attempt(user, address) as LoginAttempt).failed();
  return { throttle, attempt, fail, advance: (ms: number) => (now += ms) };
}

describe("LoginThrottle", () => {
  it("refuses a name after 5 failures until the oldest leaves the window", () => {
    const { attempt, fail, advance } = setUp();
    fail("alice");
    advance(60_000);
    for (let i = 0; i < 4; i += 1) fail("Alice"); // names count without regard to case
    expect(attempt("alice")).toEqual({ retryAfterSeconds: (WINDOW - 60_000) / 1000 });
    expect(attempt("alice", "10.9.9.9")).toHaveProperty("retryAfterSeconds"); // from anywhere
    expect(attempt("bob")).toHaveProperty("failed"); // other names are not affected
    advance(WINDOW - 60_000 - 1);
    expect(attempt("alice")).toEqual({ retryAfterSeconds: 1 });
    advance(1); // the first failure leaves the window: four are left
    expect(attempt("alice")).toHaveProperty("failed");
  });

  it("refuses an address after 20 failures, whatever the name", () => {
    const { attempt, fail, advance } = setUp();
    for (let i = 0; i < 20; i += 1) fail(`user${i}`);
    expect(attempt("someone-else")).toEqual({ retryAfterSeconds: WINDOW / 1000 });
    expect(attempt("someone-else", "10.0.0.2")).toHaveProperty("succeeded");
    advance(WINDOW);
    expect(attempt("someone-else")).toHaveProperty("succeeded");
  });

  it("counts logins in flight, so a parallel burst cannot pass before the first failure is counted", () => {
    const { attempt } = setUp();
    const burst = Array.from({ length: 8 }, () => attempt("alice"));
    expect(burst.filter((a) => "failed" in a)).toHaveLength(5);
    expect(burst.slice(5)).toEqual([
      { retryAfterSeconds: 1 },
      { retryAfterSeconds: 1 },
      { retryAfterSeconds: 1 },
    ]);
    for (const a of burst.slice(0, 5)) (a as LoginAttempt).succeeded();
    expect(attempt("alice")).toHaveProperty("failed");
  });

  it("a success forgets the name's failures but not the address's", () => {
    const { attempt, fail } = setUp();
    for (let i = 0; i < 4; i += 1) fail("alice");
    (attempt("alice") as LoginAttempt).succeeded();
    for (let i = 0; i < 4; i += 1) fail("alice");
    expect(attempt("alice")).toHaveProperty("failed");
    for (let i = 0; i < 11; i += 1) fail(`other${i}`);
    expect(attempt("carol")).toHaveProperty("retryAfterSeconds"); // 4 + 4 + 1 + 11 = 20 from this address
  });

  it("reporting an attempt twice counts it once", () => {
    const { attempt } = setUp();
    for (let i = 0; i < 4; i += 1) {
      const a = attempt("alice") as LoginAttempt;
      a.failed();
      a.failed();
    }
    expect(attempt("alice")).toHaveProperty("failed");
  });
});
