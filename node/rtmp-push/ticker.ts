// One timer for every push of a node: each tick, each push writes what its hub reader queued since
// the last one, as one socket write (writev). A 100 ms tick makes a 30 fps stream with audio ~10
// socket writes a second instead of ~75, and a hundred pushes cost one timer, not a hundred. A push
// adds at most 100 ms of latency, nothing beside a platform's seconds; what each write costs (the
// syscall, Node's stream machinery) is paid per tick, so the tick is the largest lever on the CPU of
// many pushes (docs/decisions.md). The timer runs only while a push is registered.
export const TICK_MS = 100;

export class Ticker {
  private readonly members = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number = TICK_MS) {}

  /** Calls `tick` every interval until the returned function is called. */
  add(tick: () => void): () => void {
    this.members.add(tick);
    this.timer ??= setInterval(() => {
      for (const member of this.members) member();
    }, this.intervalMs).unref();
    return () => {
      this.members.delete(tick);
      if (this.members.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }
}
