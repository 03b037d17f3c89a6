import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KeyedQueue, SerialQueue } from "../../node/kit/queue.js";

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("KeyedQueue", () => {
  it("runs the steps of one key one after another, in call order, even when an earlier one is slower", async () => {
    const queue = new KeyedQueue<string>();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`${name} begins`);
      await delay(ms);
      log.push(`${name} ends`);
      return name;
    };
    const results = [queue.run("a", step("first", 300)), queue.run("a", step("second", 100))];
    await vi.advanceTimersByTimeAsync(300);
    expect(log).toEqual(["first begins", "first ends", "second begins"]);
    await vi.advanceTimersByTimeAsync(100);
    expect(await Promise.all(results)).toEqual(["first", "second"]);
    expect(log).toEqual(["first begins", "first ends", "second begins", "second ends"]);
  });

  it("runs steps of different keys concurrently", async () => {
    const queue = new KeyedQueue<string>();
    const done: string[] = [];
    void queue.run("a", () => delay(300).then(() => done.push("a")));
    void queue.run("b", () => delay(100).then(() => done.push("b")));
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toEqual(["b"]);
    await vi.advanceTimersByTimeAsync(200);
    expect(done).toEqual(["b", "a"]);
  });

  it("gives each caller its own error and keeps running the steps after a failed one", async () => {
    const queue = new KeyedQueue<string>();
    const failed = queue.run("a", async () => {
      await delay(10);
      throw new Error("boom");
    });
    const thrown = queue.run("a", () => {
      throw new Error("sync boom");
    });
    const after = queue.run("a", () => "still runs");
    const settled = Promise.allSettled([failed, thrown, after]);
    await vi.advanceTimersByTimeAsync(10);
    const [first, second, third] = await settled;
    expect(first).toMatchObject({ status: "rejected", reason: { message: "boom" } });
    expect(second).toMatchObject({ status: "rejected", reason: { message: "sync boom" } });
    expect(third).toEqual({ status: "fulfilled", value: "still runs" });
  });

  it("closes the check-await-set gap: the second caller sees what the first one set", async () => {
    // Without the queue both callers see an empty map, both start a child, and the first is lost.
    const queue = new KeyedQueue<string>();
    const children = new Map<string, number>();
    let started = 0;
    const ensure = (key: string) =>
      queue.run(key, async () => {
        if (children.has(key)) return;
        await delay(50); // stopping a predecessor, say
        started += 1;
        children.set(key, started);
      });
    const both = Promise.all([ensure("x"), ensure("x")]);
    await vi.advanceTimersByTimeAsync(100);
    await both;
    expect(started).toBe(1);
    expect(children.get("x")).toBe(1);
  });

  it("lists the keys with work pending and forgets a key once its queue is empty", async () => {
    const queue = new KeyedQueue<string>();
    const a = queue.run("a", () => delay(100));
    const b = queue.run("b", () => delay(200));
    expect(queue.pending().sort()).toEqual(["a", "b"]);
    await vi.advanceTimersByTimeAsync(100);
    await a;
    await Promise.resolve();
    expect(queue.pending()).toEqual(["b"]);
    await vi.advanceTimersByTimeAsync(100);
    await b;
    await Promise.resolve();
    expect(queue.pending()).toEqual([]);
  });
});

describe("SerialQueue", () => {
  it("runs every step after the one before has settled", async () => {
    const queue = new SerialQueue();
    const log: number[] = [];
    const steps = [300, 0, 100].map((ms, i) =>
      queue.run(async () => {
        await delay(ms);
        log.push(i);
      }),
    );
    await vi.advanceTimersByTimeAsync(300);
    expect(log).toEqual([0]);
    await vi.runAllTimersAsync();
    await Promise.all(steps);
    expect(log).toEqual([0, 1, 2]);
  });
});
