import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { looksLikeError, StderrRing } from "../../node/ffmpeg/stderr.js";
import { redactLine } from "../../node/kit/redaction.js";

const KEY = "live_8372_AbCdEf";
const PASS = "p@ss&word 1234";
const NOW = new Date("2030-01-02T03:04:05.000Z");

function ring(capacity?: number): StderrRing {
  return new StderrRing({ secrets: [KEY, PASS], now: () => NOW, ...(capacity ? { capacity } : {}) });
}

describe("StderrRing", () => {
  it("redacts a stream key in an RTMP path, which redactUrl alone cannot see", () => {
    const r = ring();
    r.push(`[error] rtmp://a.example/live/${KEY}: Input/output error\n`);
    expect(r.texts()).toEqual(["[error] rtmp://a.example/live/***: Input/output error"]);
  });

  it("redacts passphrases raw, percent-encoded, and any secret-looking query value", () => {
    const r = ring();
    r.push(`[srt @ 0x1] [error] Connection to srt://h:9000?passphrase=${encodeURIComponent(PASS)} failed\n`);
    r.push(`some echo of ${PASS} here\n`);
    r.push("srt://h:9000?mode=caller&passphrase=unknownsecret99&latency=1\n");
    const text = r.texts().join("\n");
    expect(text).not.toContain("p@ss");
    expect(text).not.toContain(encodeURIComponent(PASS));
    expect(text).not.toContain("unknownsecret99");
    expect(r.texts()[1]).toBe("some echo of *** here");
  });

  it("redacts a secret split across chunks: only whole lines are redacted and stored", () => {
    const r = ring();
    const line = `[error] rtmp://a.example/live/${KEY}: Broken pipe\n`;
    const cut = line.indexOf(KEY) + 5;
    expect(r.push(line.slice(0, cut))).toEqual([]);
    expect(r.lines()).toEqual([]);
    expect(r.push(line.slice(cut))).toEqual([
      { time: NOW.toISOString(), text: "[error] rtmp://a.example/live/***: Broken pipe" },
    ]);
  });

  it("splits on \\n, \\r\\n and \\r, skips blank lines, and keeps a last line without newline at end()", () => {
    const r = ring();
    r.push("one\r\ntwo\rthree\n\n   \nfour");
    expect(r.texts()).toEqual(["one", "two", "three"]);
    expect(r.end().map((line) => line.text)).toEqual(["four"]);
    expect(r.texts()).toEqual(["one", "two", "three", "four"]);
  });

  it("keeps the last 200 lines", () => {
    const r = ring();
    for (let i = 0; i < 250; i += 1) r.push(`line ${i}\n`);
    expect(r.texts()).toHaveLength(200);
    expect(r.texts()[0]).toBe("line 50");
    expect(r.texts().at(-1)).toBe("line 249");
  });

  it("cuts an overlong line after redacting it, so a secret at the cut does not leak in part", () => {
    const r = ring();
    r.push(`${"x".repeat(1995)}${KEY}${"y".repeat(5000)}`);
    r.push(`${"z".repeat(3000)}\n`);
    const [text] = r.texts();
    expect(text?.length).toBeLessThan(2100);
    expect(text).toMatch(/ \[truncated\]$/);
    expect(text).not.toContain(KEY.slice(0, 5));
  });

  it("remembers the last error-looking line", () => {
    const r = ring();
    expect(r.lastError).toBeNull();
    r.push("[flv @ 0x1] [warning] Could not find codec parameters for stream 1\n");
    expect(r.lastError).toBeNull();
    r.push(`[tcp @ 0x2] [error] Connection to tcp://127.0.0.1:1?tcp_nodelay=0 failed: Connection refused\n`);
    r.push(`[error] rtmp://127.0.0.1:1/live/${KEY}: Connection refused\n`);
    r.push("[info] Conversion failed!\n");
    expect(r.lastError).toEqual({
      time: NOW.toISOString(),
      text: "[error] rtmp://127.0.0.1:1/live/***: Connection refused",
    });
  });

  it("finds the error lines in real captured stderr", () => {
    const r = ring();
    r.push(readFileSync(new URL("../fixtures/ffmpeg/rtmp-deny-publish.stderr.txt", import.meta.url), "utf8"));
    expect(r.lastError?.text).toMatch(
      /^\[error\] Error closing file rtmp:\/\/127\.0\.0\.1:\d+\/denied: Broken pipe$/,
    );
  });
});

describe("looksLikeError", () => {
  it.each([
    ["[error] x", true],
    ["[fatal] x", true],
    ["[warning] Error while decoding", false],
    ["[info] Conversion failed!", false],
    ["Consider increasing the value for the 'analyzeduration' (0) and 'probesize' (32) options", false],
    ["av_interleaved_write_frame(): Broken pipe", true],
  ])("%s -> %s", (text, expected) => {
    expect(looksLikeError(text)).toBe(expected);
  });
});

describe("redactLine", () => {
  it("replaces a longer secret whole even when a shorter one is inside it", () => {
    expect(redactLine("key abcdef and abc", ["abc", "abcdef"])).toBe("key *** and ***");
  });

  it("ignores empty secrets", () => {
    expect(redactLine("text", [""])).toBe("text");
  });
});
