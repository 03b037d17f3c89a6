// The fence's lease: this node may connect a push only while the store that places restreams has
// taken one of its writes recently. A write needs the store's quorum, so a node cut off from the
// mesh (or frozen) loses the lease within LEASE_MS + RENEW_MS (1.25 s), before its peers can see
// it gone (the 2.5 s heartbeat timeout, services/heartbeats.ts) and place its restreams elsewhere.
// On a lapse the fence aborts the pushes still connecting: a connect started just before a cut
// could otherwise complete when the cut ends, next to the node that took over (issue 14).
// Streaming pushes are left alone: a node that reaches its publisher and destination but not the
// mesh keeps pushing, and nobody else has that publisher (docs/architecture.md, "The mesh").
//
// One renewal is in flight at a time; the lease counts from when the last successful one began.

//
// A single node (no NATS) has no peer to take its restreams over, so it holds SOLE_NODE_LEASE: always
// held, no timer and no store write (four fsyncs a second on SQLite, the idle node's largest cost).

export const RENEW_MS = 250;

/** The lease of a node without a mesh. */
export const SOLE_NODE_LEASE = {
  start: async (): Promise<void> => {},
  stop: (): void => {},
  held: (): boolean => true,
} as const;
export const LEASE_MS = 1_000;

export class FenceLease {
  private renewedAt = Number.NEGATIVE_INFINITY;
  private renewing = false;
  private wasHeld = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** One write to the store (this node's lease key). */
    private readonly renew: () => Promise<unknown>,
    /** The lease ran out (called once per lapse). */
    private readonly lapsed: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Renews at once and every RENEW_MS; resolves after the first renewal (held, or not). */
  async start(): Promise<void> {
    this.timer = setInterval(() => this.tick(), RENEW_MS);
    this.timer.unref();
    await this.renewOnce();
    this.wasHeld = this.held();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  held(): boolean {
    return this.now() - this.renewedAt < LEASE_MS;
  }

  private tick(): void {
    const held = this.held();
    if (this.wasHeld && !held) this.lapsed();
    this.wasHeld = held;
    if (!this.renewing) void this.renewOnce();
  }

  private async renewOnce(): Promise<void> {
    this.renewing = true;
    const began = this.now();
    try {
      await this.renew();
      this.renewedAt = Math.max(this.renewedAt, began);
    } catch {
      // not renewed: the lease runs out by itself
    } finally {
      this.renewing = false;
    }
  }
}
