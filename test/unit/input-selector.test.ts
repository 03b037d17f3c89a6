// The input selector's rules with plain clock values: which input feeds the channel, when it
// switches, and why.
import { describe, expect, it } from "vitest";
import type { IngestInput } from "../../node/defs/ingest-input.js";
import {
  InputSelector,
  STALL_MS,
  STEADY_MS,
  type SwitchReason,
} from "../../node/ingest/inputs/input-selector.js";

function selector(options: { replayable?: IngestInput[] } = {}) {
  const switches: [IngestInput, SwitchReason][] = [];
  const replays: IngestInput[] = [];
  const s = new InputSelector("ch_test", {
    replay: (input) => {
      if (!options.replayable?.includes(input)) return false;
      replays.push(input);
      return true;
    },
    switched: (input, reason) => switches.push([input, reason]),
  });
  return { s, switches, replays };
}

/** Media every 40 ms from `from` to `to` (exclusive), a keyframe every `gop` ms. */
function feed(s: InputSelector, input: IngestInput, from: number, to: number, gop = 1_000) {
  const verdicts: string[] = [];
  for (let t = from; t < to; t += 40) verdicts.push(s.media(input, (t - from) % gop === 0, t));
  return verdicts;
}

describe("InputSelector", () => {
  it("puts the primary on air at its first keyframe, and drops frames before it", () => {
    const { s, switches } = selector();
    s.connect("primary", 0);
    expect(s.media("primary", false, 0)).toBe("drop");
    expect(s.media("primary", true, 40)).toBe("cut");
    expect(s.media("primary", false, 80)).toBe("write");
    expect(s.onAir).toBe("primary");
    expect(switches).toEqual([["primary", "first_input"]]);
  });

  it("keeps the backup off air while the primary is healthy", () => {
    const { s } = selector();
    s.connect("primary", 0);
    s.connect("backup", 0);
    feed(s, "primary", 0, 1_000);
    expect(feed(s, "backup", 0, 1_000)).not.toContain("write");
    expect(s.onAir).toBe("primary");
  });

  it("switches to the backup at its next keyframe when the primary disconnects, and back after 5 s of primary media", () => {
    const { s, switches } = selector();
    s.connect("primary", 0);
    s.connect("backup", 0);
    feed(s, "primary", 0, 1_000);
    s.disconnect("primary", 1_000);
    expect(s.state).toBe("to_backup");
    expect(s.media("backup", false, 1_040)).toBe("drop");
    expect(s.media("backup", true, 1_080)).toBe("cut");
    expect(s.onAir).toBe("backup");
    s.connect("primary", 2_000);
    for (let t = 2_000; t < 2_000 + STEADY_MS; t += 40) {
      s.media("primary", false, t);
      s.media("backup", false, t);
    }
    expect(s.onAir).toBe("backup");
    s.tick(2_000 + STEADY_MS);
    expect(s.state).toBe("to_primary");
    expect(s.media("backup", false, 2_000 + STEADY_MS + 10)).toBe("write");
    expect(s.media("primary", true, 2_000 + STEADY_MS + 20)).toBe("cut");
    expect(switches.map(([to, why]) => `${to}:${why}`)).toEqual([
      "primary:first_input",
      "backup:primary_disconnected",
      "primary:primary_back",
    ]);
  });

  it("replays the backup's cached GOP at once when it can", () => {
    const { s, switches, replays } = selector({ replayable: ["backup"] });
    s.connect("primary", 0);
    s.connect("backup", 0);
    feed(s, "primary", 0, 1_000);
    s.disconnect("primary", 1_000);
    expect(replays).toEqual(["backup"]);
    expect(s.onAir).toBe("backup");
    expect(s.media("backup", false, 1_040)).toBe("write");
    expect(switches.at(-1)).toEqual(["backup", "primary_disconnected"]);
  });

  it("switches on a stall of 2 s only while the backup is healthy", () => {
    const { s, switches } = selector({ replayable: ["backup"] });
    s.connect("primary", 0);
    s.connect("backup", 0);
    feed(s, "primary", 0, 1_000);
    feed(s, "backup", 0, 1_000);
    s.tick(960 + STALL_MS - 1);
    expect(s.onAir).toBe("primary");
    // the backup went quiet too: a stalled primary stays on air
    s.tick(960 + STALL_MS + 500);
    expect(s.onAir).toBe("primary");
    s.media("backup", false, 960 + STALL_MS + 600);
    expect(s.onAir).toBe("backup");
    expect(switches.at(-1)).toEqual(["backup", "primary_stalled"]);
  });

  it("a stalled primary that resumes does not take over again before 5 s", () => {
    const { s } = selector({ replayable: ["backup"] });
    s.connect("primary", 0);
    s.connect("backup", 0);
    feed(s, "primary", 0, 1_000);
    feed(s, "backup", 0, 4_000);
    expect(s.onAir).toBe("backup");
    for (let t = 4_000; t < 4_000 + STEADY_MS - 100; t += 40) {
      s.media("primary", false, t);
      s.media("backup", false, t);
    }
    s.tick(4_000 + STEADY_MS - 100);
    expect(s.state).toBe("backup");
    s.tick(4_000 + STEADY_MS);
    expect(s.state).toBe("to_primary");
  });

  it("a reconnected primary never continues its old session: it goes on air at a keyframe", () => {
    const { s } = selector();
    s.connect("primary", 0);
    s.connect("backup", 0);
    feed(s, "primary", 0, 1_000);
    s.disconnect("primary", 1_000);
    s.connect("primary", 1_010);
    // pending backup; the primary is healthy again but is a new session: its frames are not written
    expect(s.media("primary", false, 1_050)).toBe("drop");
    expect(s.media("backup", true, 1_060)).toBe("cut");
  });

  it("when the backup on air disconnects, the primary goes on air at its keyframe", () => {
    const { s, switches } = selector();
    s.connect("backup", 0);
    feed(s, "backup", 0, 1_000);
    expect(s.onAir).toBe("backup");
    s.connect("primary", 1_000);
    s.disconnect("backup", 1_100);
    expect(s.state).toBe("to_primary");
    expect(s.media("primary", true, 1_200)).toBe("cut");
    expect(switches.at(-1)).toEqual(["primary", "backup_disconnected"]);
  });

  it("goes idle when both inputs are gone", () => {
    const { s } = selector();
    s.connect("primary", 0);
    feed(s, "primary", 0, 500);
    s.disconnect("primary", 500);
    expect(s.state).toBe("idle");
    expect(s.onAir).toBeNull();
  });
});
