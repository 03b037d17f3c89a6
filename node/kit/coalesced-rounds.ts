// A reconcile loop's trigger: a request while a round runs coalesces into one more round, so
// any number of triggers costs at most one extra round, and rounds never overlap.
export class CoalescedRounds {
  private running: Promise<void> | null = null;
  private pending = false;
  private closed = false;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Runs a round now, or one more after the current one; resolves when they are done. */
  request(): Promise<void> {
    if (this.closed) return this.running ?? Promise.resolve();
    if (this.running) {
      this.pending = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.pending = false;
        await this.round().catch(this.failed);
      } while (this.pending && !this.closed);
      this.running = null;
    })();
    return this.running;
  }

  /** Whether a round runs now (or is about to run again). */
  get busy(): boolean {
    return this.running !== null;
  }

  /** No more rounds; resolves when the current one is done. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }
}
