// Calls over a NATS connection that may be reconnecting (e.g. nats-server restarted). nats.js drops
// what it buffered while disconnected (every dial resets its outbound buffer), so a request made
// then is lost and times out. Here a call waits until the connection is back, and one that timed
// out or met a disconnect is made again until its budget is spent. Writes stay exactly-once because
// they carry a JetStream message ID: a repeated one is answered with the first one's sequence.
import type { NatsConnection } from "nats";

/** Conditions after which the request may not have reached JetStream, or JetStream was not ready. */
const RETRYABLE_CODES = new Set(["TIMEOUT", "DISCONNECT", "503"]);
const RETRY_PAUSE_MS = 100;

export interface LinkEvents {
  /** The connection is back: watches must be resumed (their server-side consumers may be gone). */
  readonly onReconnect: () => void;
  /** For the log: the status type and the server (host:port, never credentials). */
  readonly onStatus: (type: string, server: string) => void;
}

export class NatsLink {
  private connected = true;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly budgetMs: number,
    events: LinkEvents,
  ) {
    void this.follow(events);
  }

  /** False from a disconnect until the reconnect: probes answer "not ready" instead of waiting. */
  get isConnected(): boolean {
    return this.connected && !this.nc.isClosed();
  }

  /** Runs `operation` until it succeeds, fails for good, or the budget is spent. */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.budgetMs;
    for (;;) {
      await this.connectedBy(deadline);
      try {
        return await operation();
      } catch (error) {
        if (!isRetryable(error) || this.nc.isClosed() || Date.now() + RETRY_PAUSE_MS > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }

  private connectedBy(deadline: number): Promise<void> {
    if (this.connected || this.nc.isClosed()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private async follow(events: LinkEvents): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === "disconnect") this.connected = false;
      if (status.type === "reconnect") {
        this.connected = true;
        for (const wake of this.waiters.splice(0)) wake();
        events.onReconnect();
      }
      if (status.type === "disconnect" || status.type === "reconnect" || status.type === "error") {
        events.onStatus(status.type, String(status.data));
      }
    }
  }
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && RETRYABLE_CODES.has(code);
}
