import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PidFile, parsePidFile, sweepStalePids } from "../../node/ffmpeg/pidfile.js";
import { parseProcStat, readProcStat } from "../../node/ffmpeg/proc-facts.js";

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "streamwell-pids-"));
  dirs.push(dir);
  return join(dir, "ffmpeg.pids");
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("parseProcStat", () => {
  it("counts fields from the last ')' so a command name with spaces and parentheses cannot shift them", () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = "S"; // field 3
    fields[2] = "4242"; // field 5, pgrp
    fields[19] = "987654"; // field 22, starttime
    expect(parseProcStat(`4242 (ff (m) peg) ${fields.join(" ")}\n`)).toEqual({
      pid: 4242,
      state: "S",
      pgrp: 4242,
      startTime: "987654",
    });
  });

  it("returns null for text that is not a stat line", () => {
    expect(parseProcStat("")).toBeNull();
    expect(parseProcStat("12 (x) S 1")).toBeNull();
  });

  it("reads this process", () => {
    const stat = readProcStat(process.pid);
    expect(stat?.pid).toBe(process.pid);
    expect(stat?.startTime).toMatch(/^\d+$/);
    expect(readProcStat(0x7ffffff0)).toBeNull();
  });
});

describe("PidFile", () => {
  it("writes one 'pid starttime' line per live process and removes it at exit", () => {
    const path = tempFile();
    const file = new PidFile(path);
    const start = readProcStat(process.pid)?.startTime;
    file.add(process.pid);
    expect(readFileSync(path, "utf8")).toBe(`${process.pid} ${start}\n`);
    file.add(0x7ffffff0); // already gone: not listed
    expect(parsePidFile(readFileSync(path, "utf8"))).toEqual([{ pid: process.pid, startTime: start }]);
    file.remove(process.pid);
    expect(readFileSync(path, "utf8")).toBe("");
  });

  it("reports a write failure instead of throwing into the spawn path", () => {
    const errors: unknown[] = [];
    const file = new PidFile("/nonexistent-dir/ffmpeg.pids", (error) => errors.push(error));
    expect(() => file.add(process.pid)).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

describe("parsePidFile", () => {
  it("skips lines that are not 'pid starttime'", () => {
    expect(parsePidFile("12 34\ngarbage\n\n 56  78 \n9\n1 2 3\n")).toEqual([
      { pid: 12, startTime: "34" },
      { pid: 56, startTime: "78" },
    ]);
  });
});

describe("sweepStalePids", () => {
  it("treats a missing file as nothing to sweep", async () => {
    expect(await sweepStalePids(tempFile())).toEqual({ killed: [], skipped: [] });
  });
});
