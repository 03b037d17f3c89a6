// Repeated log lines folded into one per key and window. Some lines are written for events an
// outsider causes at will (a rogue broker's refused mesh calls, services/mesh-gate.ts): one line
// per event would let it flood the log. The first line for a key is written at once; the others
// of the window are counted and written as one line when the window ends. The keys come from the
// outsider too (it picks its node id), so a window holds at most `maxKeys` of them: past that,
// every new key folds into one "others" entry.

export interface FoldedLogOptions {
  readonly windowMs: number;
  readonly maxKeys: number;
}

/**
 * Writes one line: `sample` is the first event of its key in the window, `count` how many events
 * the line stands for; `others`: the key is the overflow entry (many keys folded together).
 */
export type FoldedWrite<T> = (sample: T, count: number, others: boolean) => void;

interface Held<T> {
  readonly sample: T;
  /** Events since the line last written for this key. */
  unwritten: number;
}

const OTHERS = Symbol("others");

export class FoldedLog<T> {
  private readonly held = new Map<string | typeof OTHERS, Held<T>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: FoldedLogOptions,
    private readonly write: FoldedWrite<T>,
  ) {}

  note(key: string, sample: T): void {
    const slot = this.held.has(key) || this.held.size < this.options.maxKeys ? key : OTHERS;
    const held = this.held.get(slot);
    if (held) {
      held.unwritten += 1;
      return;
    }
    this.held.set(slot, { sample, unwritten: 0 });
    this.write(sample, 1, slot === OTHERS);
    this.timer ??= setTimeout(() => this.endWindow(), this.options.windowMs).unref();
  }

  /** Writes what is still counted, and stops the timer. */
  close(): void {
    clearTimeout(this.timer);
    this.endWindow();
  }

  private endWindow(): void {
    this.timer = undefined;
    for (const [slot, held] of this.held) {
      if (held.unwritten > 0) this.write(held.sample, held.unwritten, slot === OTHERS);
    }
    this.held.clear();
  }
}
