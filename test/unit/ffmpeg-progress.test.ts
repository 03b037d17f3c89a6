import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ProgressParser, type ProgressStats } from "../../node/ffmpeg/progress.js";

// Captured from this machine's ffmpeg by test/fixtures/ffmpeg/capture.sh: a real-time relay stopped
// with SIGINT after 3 s, and a relay of a file as fast as it goes.
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/ffmpeg/${name}`, import.meta.url), "utf8");
const REALTIME = fixture("rtmp-sigint.progress.txt");
const FAST = fixture("rtmp-ok.progress.txt");

function parseInChunks(text: string, sizes: number[]): ProgressStats[] {
  const parser = new ProgressParser();
  const blocks: ProgressStats[] = [];
  let at = 0;
  for (let i = 0; at < text.length; i += 1) {
    const size = sizes[i % sizes.length] ?? 1;
    blocks.push(...parser.push(text.slice(at, at + size)));
    at += size;
  }
  return blocks;
}

describe("ProgressParser", () => {
  it("reads every block of a real-time relay", () => {
    const blocks = new ProgressParser().push(REALTIME);
    expect(blocks.length).toBe((REALTIME.match(/^progress=/gm) ?? []).length);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks[0]).toEqual({
      frame: 1,
      fps: 0,
      bitrateBps: null,
      totalSizeBytes: 370,
      outTimeUs: 0,
      speed: null,
      dropFrames: 0,
      dupFrames: 0,
      end: false,
    });
    const second = blocks[1] as ProgressStats;
    expect(second.frame).toBeGreaterThan(1);
    expect(second.bitrateBps).toBeGreaterThan(2_000_000);
    expect(second.bitrateBps).toBeLessThan(5_000_000);
    expect(second.speed).toBeGreaterThan(0.5);
    expect(second.outTimeUs).toBeGreaterThan(0);
  });

  it("marks the last block of a finished relay and reads a padded speed", () => {
    const blocks = new ProgressParser().push(FAST);
    const last = blocks.at(-1) as ProgressStats;
    expect(last.end).toBe(true);
    expect(blocks.slice(0, -1).every((block) => !block.end)).toBe(true);
    expect(last.frame).toBe(180);
    expect(last.speed).toBeGreaterThan(10); // "speed= 477x": as fast as the pipe goes
    expect(last.totalSizeBytes).toBeGreaterThan(1_000_000);
    expect(last.outTimeUs).toBeGreaterThan(5_000_000);
  });

  it("gives the same blocks however the pipe splits the text", () => {
    const whole = new ProgressParser().push(REALTIME);
    expect(parseInChunks(REALTIME, [1])).toEqual(whole);
    expect(parseInChunks(REALTIME, [7, 13, 2, 31])).toEqual(whole);
    expect(parseInChunks(REALTIME, [4096])).toEqual(whole);
  });

  it("holds a block back until its progress= line arrives", () => {
    const parser = new ProgressParser();
    expect(parser.push("frame=10\nfps=30.0\nbitrate=1000.0kbits/s\nprogr")).toEqual([]);
    expect(parser.push("ess=continue\n")).toEqual([
      expect.objectContaining({ frame: 10, fps: 30, bitrateBps: 1_000_000, end: false }),
    ]);
  });

  it("reports N/A and garbage as null, never NaN", () => {
    const [block] = new ProgressParser().push(
      "frame=N/A\nfps=x\nbitrate=N/A\ntotal_size=N/A\nout_time_us=N/A\nspeed=N/A\nprogress=continue\n",
    );
    expect(block).toEqual({
      frame: null,
      fps: null,
      bitrateBps: null,
      totalSizeBytes: null,
      outTimeUs: null,
      speed: null,
      dropFrames: null,
      dupFrames: null,
      end: false,
    });
  });

  it("does not carry fields over from one block to the next", () => {
    const blocks = new ProgressParser().push("frame=5\nprogress=continue\nfps=1\nprogress=end\n");
    expect(blocks[1]).toEqual(expect.objectContaining({ frame: null, fps: 1, end: true }));
  });

  it("drops an endless line instead of buffering it", () => {
    const parser = new ProgressParser();
    parser.push("x".repeat(100_000));
    expect(parser.push("\nframe=3\nprogress=continue\n")).toEqual([expect.objectContaining({ frame: 3 })]);
  });
});
