// Login throttling: failed logins are counted per username and per client address over a sliding
// window; once either count reaches its limit, every login for that name or from that address is
// refused (429 with Retry-After), even with the right password, until the oldest counted failure
// leaves the window. The check comes before the password is hashed, so a throttled attacker costs
// no scrypt work either.
//
// The counts live in this node's memory, not in the store: a failed login would otherwise be a
// write to the shared store that anyone can cause, and a node restart only forgets at most one
// window. In a mesh of N nodes an attacker gets N times the tries (docs/security.md).

export interface ThrottleLimits {
  /** Failures per username within the window (DESIGN: 5). */
  readonly perUser: number;
  /** Failures per client address within the window (DESIGN: 20). */
  readonly perAddress: number;
  readonly windowMs: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { perUser: 5, perAddress: 20, windowMs: 15 * 60_000 };

/** Names and addresses remembered at most; the oldest are forgotten first (a spray of names stays bounded). */
const MAX_KEYS = 10_000;

/** Failure times per key, oldest first, pruned to the window on every touch, and logins in flight. */
class FailureLog {
  private readonly times = new Map<string, number[]>();
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /**
   * Milliseconds until `key` may try again, or 0. Logins still being checked count as failures,
   * so a burst of parallel tries cannot all pass before the first one is counted.
   */
  blockedFor(key: string, now: number): number {
    const times = this.recent(key, now);
    if (times.length >= this.limit) return (times[times.length - this.limit] as number) + this.windowMs - now;
    return times.length + (this.pending.get(key) ?? 0) >= this.limit ? 1000 : 0;
  }

  begin(key: string): void {
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  end(key: string, failedAt: number | undefined): void {
    const left = (this.pending.get(key) ?? 1) - 1;
    if (left > 0) this.pending.set(key, left);
    else this.pending.delete(key);
    if (failedAt === undefined) return;
    const times = this.recent(key, failedAt);
    times.push(failedAt);
    this.times.delete(key); // re-insert: the map's order is the order of last failure
    this.times.set(key, times);
    if (this.times.size > MAX_KEYS) this.times.delete(this.times.keys().next().value as string);
  }

  clear(key: string): void {
    this.times.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const times = (this.times.get(key) ?? []).filter((time) => time > now - this.windowMs);
    if (times.length === 0) this.times.delete(key);
    return times;
  }
}

/** One login being checked: report how it ended exactly once. */
export interface LoginAttempt {
  failed(): void;
  succeeded(): void;
}

export class LoginThrottle {
  private readonly users: FailureLog;
  private readonly addresses: FailureLog;

  constructor(
    limits: ThrottleLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.users = new FailureLog(limits.perUser, limits.windowMs);
    this.addresses = new FailureLog(limits.perAddress, limits.windowMs);
  }

  /**
   * Starts a login for `username` from `address`: the seconds to wait when throttled, or the
   * attempt to report on once the password is checked.
   */
  begin(username: string, address: string): { retryAfterSeconds: number } | LoginAttempt {
    const now = this.now();
    const user = userKey(username);
    const ms = Math.max(this.users.blockedFor(user, now), this.addresses.blockedFor(address, now));
    if (ms > 0) return { retryAfterSeconds: Math.ceil(ms / 1000) };
    this.users.begin(user);
    this.addresses.begin(address);
    let open = true;
    const end = (failed: boolean) => {
      if (!open) return;
      open = false;
      const at = failed ? this.now() : undefined;
      this.users.end(user, at);
      this.addresses.end(address, at);
      // A success forgets the name's failures; the address keeps its count, so one account
      // cannot launder the tries made against another.
      if (!failed) this.users.clear(user);
    };
    return { failed: () => end(true), succeeded: () => end(false) };
  }
}

/** Usernames are unique without regard to case, so "Admin" and "admin" share a count. */
function userKey(username: string): string {
  return username.toLowerCase();
}
