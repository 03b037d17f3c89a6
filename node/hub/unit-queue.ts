// A FIFO of units that knows its size in bytes. A head index instead of Array#shift keeps taking a
// unit O(1) when a slow reader has thousands queued.
/**
 * Units a queue or the GOP cache holds at most, whatever their bytes: a publisher sending one-byte
 * tags would fit ~500,000 of them (each an object of ~200 bytes of heap) into 8 MiB of counted
 * bytes. A 10 s GOP at 60 fps with audio is ~1,100 units.
 */
export const MAX_UNITS = 20_000;

export class UnitQueue<U> {
  private items: U[] = [];
  private head = 0;
  private size = 0;

  constructor(private readonly sizeOf: (unit: U) => number) {}

  get bytes(): number {
    return this.size;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  push(unit: U): void {
    this.items.push(unit);
    this.size += this.sizeOf(unit);
  }

  shift(): U | undefined {
    const unit = this.items[this.head];
    if (unit === undefined) return undefined;
    this.head += 1;
    this.size -= this.sizeOf(unit);
    // Compact once the consumed prefix dominates, so the array does not grow forever.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return unit;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.size = 0;
  }
}
