// Reconnect delays: 1 s doubling to a 30 s cap, +/-20 % jitter so many restreams that failed
// together do not retry in lockstep. The actor resets the attempt count after 30 s healthy.
export const BACKOFF = { firstMs: 1_000, capMs: 30_000, jitter: 0.2, healthyResetMs: 30_000 } as const;

/** Delay before attempt `attempt` + 1 (attempt >= 1); `random` in [0, 1). */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF.firstMs * 2 ** (attempt - 1), BACKOFF.capMs);
  return Math.round(base * (1 - BACKOFF.jitter + 2 * BACKOFF.jitter * random()));
}

/** An actor's failures in a row and the timer of its next attempt. */
export class Retry {
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;

  /** Counts a failure and calls `retry` after the backoff delay; returns that delay. */
  schedule(retry: () => void): number {
    this.attempts += 1;
    const delay = backoffDelay(this.attempts);
    this.timer = setTimeout(retry, delay);
    return delay;
  }

  /** Calls `retry` after `delayMs`, counting no failure (a wait the caller knows to be short). */
  after(delayMs: number, retry: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(retry, delayMs);
  }

  cancel(): void {
    clearTimeout(this.timer);
  }

  /** Healthy again: the next failure waits the shortest delay. */
  reset(): void {
    this.attempts = 0;
  }
}
