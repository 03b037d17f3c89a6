// One timer for every push of a node: each tick, each push writes what its hub reader queued since
// the last one. A 40 ms tick makes a 30 fps stream with audio ~25 socket writes a second instead of
// ~75 (the same batching the ffmpeg engine's pipe gets, see node/ingest/registry.ts), and a hundred
// pushes cost one timer, not a hundred. The timer runs only while a push is registered.
export const TICK_MS = 40;

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
