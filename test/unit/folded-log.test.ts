import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FoldedLog } from "../../node/kit/folded-log.js";

interface Line {
  readonly sample: string;
  readonly count: number;
  readonly others: boolean;
}

function setUp(maxKeys = 3) {
  const lines: Line[] = [];
  const log = new FoldedLog<string>({ windowMs: 10_000, maxKeys }, (sample, count, others) =>
    lines.push({ sample, count, others }),
  );
  return { log, lines };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("FoldedLog", () => {
  it("writes a key's first event at once and the rest of its window as one line with their count", () => {
    const { log, lines } = setUp();
    for (let i = 0; i < 1_000; i += 1) log.note("rogue", `call ${i}`);
    expect(lines).toEqual([{ sample: "call 0", count: 1, others: false }]);
    vi.advanceTimersByTime(9_999);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(lines).toEqual([
      { sample: "call 0", count: 1, others: false },
      { sample: "call 0", count: 999, others: false },
    ]);
  });

  it("starts afresh after a window: a sustained flood costs two lines per window", () => {
    const { log, lines } = setUp();
    for (let window = 0; window < 5; window += 1) {
      for (let i = 0; i < 100; i += 1) log.note("rogue", `w${window}`);
      vi.advanceTimersByTime(10_000);
    }
    expect(lines).toHaveLength(10);
    expect(lines.reduce((sum, line) => sum + line.count, 0)).toBe(500);
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(10); // nothing is written for a window without events
  });

  it("keeps keys apart, and folds keys past the cap into one entry", () => {
    const { log, lines } = setUp(3);
    for (let i = 0; i < 100; i += 1) log.note(`sender-${i}`, `from sender-${i}`);
    log.note("sender-1", "again");
    expect(lines).toEqual([
      { sample: "from sender-0", count: 1, others: false },
      { sample: "from sender-1", count: 1, others: false },
      { sample: "from sender-2", count: 1, others: false },
      { sample: "from sender-3", count: 1, others: true },
    ]);
    vi.advanceTimersByTime(10_000);
    expect(lines.slice(4)).toEqual([
      { sample: "from sender-1", count: 1, others: false },
      { sample: "from sender-3", count: 96, others: true },
    ]);
  });

  it("writes what it still counts when closed", () => {
    const { log, lines } = setUp();
    log.note("rogue", "a");
    log.note("rogue", "b");
    log.close();
    expect(lines.map((line) => line.count)).toEqual([1, 1]);
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
  });
});
