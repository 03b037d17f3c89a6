// The SRT ingest listener never restarts in a hot loop: a listener whose ffmpeg exits at once (here
// /bin/false in its place, as when the port is taken) backs off 1 s, then 2 s, ...; and which node
// listens for a channel follows its port.
import { afterEach, describe, expect, it } from "vitest";
import type { ChannelRecord } from "../../node/catalog/records.js";
import { srtInputsServed } from "../../node/ingest/srt/home.js";
import { SrtListener } from "../../node/ingest/srt/listener.js";
import { srtIngestExit } from "../../node/ingest/srt/listener-exit.js";
import { tsSessions } from "../../node/ingest/srt/session.js";
import { waitFor } from "../support/wait.js";

let listener: SrtListener | undefined;

afterEach(async () => {
  await listener?.stop();
});

describe("SrtListener", () => {
  it("backs off when ffmpeg exits without a caller, and stops cleanly while waiting", async () => {
    const lines: { message: string; at: number }[] = [];
    const warnings: { reason?: unknown; retryInMs?: unknown }[] = [];
    const log = {
      info: (_: object, message: string) => lines.push({ message, at: Date.now() }),
      warn: (details: { reason?: unknown; retryInMs?: unknown }, message: string) => {
        lines.push({ message, at: Date.now() });
        warnings.push(details);
      },
    };
    const times = (message: string) =>
      lines.filter((line) => line.message === message).map((line) => line.at);
    listener = new SrtListener(
      {
        channelId: "ch_test",
        bindHost: "127.0.0.1",
        port: 9000,
        passphrase: "a-long-passphrase",
        container: "mpegts",
      },
      { session: tsSessions(() => null), log, ffmpegPath: "/bin/false", exitReason: srtIngestExit },
    );
    const exited = "SRT ingest listener exited without a caller";
    await waitFor("the second exit", () => times(exited).length >= 2, 10_000, 20);
    // Runs at once, again 0.8-1.2 s after the first exit; the third waits 1.6-2.4 s after the second.
    const listening = times("SRT ingest listening");
    expect(listening).toHaveLength(2);
    expect((listening[1] as number) - (times(exited)[0] as number)).toBeGreaterThanOrEqual(800);
    expect(warnings.map((w) => w.retryInMs)).toEqual([
      expect.toSatisfy((ms: number) => ms >= 800 && ms <= 1_200),
      expect.toSatisfy((ms: number) => ms >= 1_600 && ms <= 2_400),
    ]);
    // The listener's own classifier says why, in its words (never a restream's error code).
    expect(warnings.map((w) => w.reason)).toContain(
      "ffmpeg ended (exit code 1) before an SRT caller connected",
    );
    expect(listener.current).toBe("waiting");
    await listener.stop();
    expect(listener.current).toBe("stopped");
    expect(times("SRT ingest listening")).toHaveLength(2);
  });
});

describe("srtInputsServed", () => {
  const listener = (nodeId: string, port: number) => ({ port, passphrase: "p", nodeId, host: "h" });
  const channel = (primary: string | null, backup?: string) =>
    ({
      srt: primary === null ? null : listener(primary, 9000),
      srtBackup: backup === undefined ? null : listener(backup, 9001),
    }) as ChannelRecord;
  const served = (record: ChannelRecord, nodeId: string) =>
    srtInputsServed(record, nodeId).map(({ input, listener }) => `${input}:${listener.port}`);

  it("serves the channel inputs whose SRT port is this node's own", () => {
    expect(served(channel("n1"), "n1")).toEqual(["primary:9000"]);
    expect(served(channel("n2"), "n1")).toEqual([]);
    expect(served(channel(null), "n1")).toEqual([]);
    expect(served(channel("n1", "n1"), "n1")).toEqual(["primary:9000", "backup:9001"]);
    expect(served(channel("n1", "n2"), "n2")).toEqual(["backup:9001"]);
    // SRT ingest off: a stale backup listener is not served
    expect(served(channel(null, "n1"), "n1")).toEqual([]);
  });
});
