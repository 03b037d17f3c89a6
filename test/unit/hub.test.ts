import { describe, expect, it } from "vitest";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import { GopCache } from "../../node/hub/gop-cache.js";
import { ChannelHub, FLV_UNITS, HubEndedError, type HubReader } from "../../node/hub/index.js";
import { MAX_UNITS } from "../../node/hub/unit-queue.js";
import { AUDIO, isSequenceHeader, SCRIPT, VIDEO } from "../../node/media/flv.js";

// Small synthetic tags. Bodies default to 16 bytes, so each tag is 31 FLV bytes (+15 framing).
function video(first: number, timestamp: number, size = 16, packetType = 1): FlvTag {
  const data = Buffer.alloc(size);
  data[0] = first;
  data[1] = packetType;
  return { type: VIDEO, timestamp, data };
}
const key = (ts: number, size?: number) => video(0x17, ts, size);
const inter = (ts: number, size?: number) => video(0x27, ts, size);
/** An AVC sequence header whose configuration version byte tells one apart from another. */
const avcHeader = (version = 1, ts = 0): FlvTag => ({
  type: VIDEO,
  timestamp: ts,
  data: Buffer.from([0x17, 0, 0, 0, 0, version]),
});
const aacHeader = (config = 0x12, ts = 0): FlvTag => ({
  type: AUDIO,
  timestamp: ts,
  data: Buffer.from([0xaf, 0, config, 0x10]),
});
function aac(ts: number, size = 16): FlvTag {
  const data = Buffer.alloc(size);
  data[0] = 0xaf;
  data[1] = 1;
  return { type: AUDIO, timestamp: ts, data };
}
/** AMF0 "onMetaData" followed by one marker byte (a stand-in for the ECMA array). */
function metadata(marker = 1, prefix = false): FlvTag {
  const name = (s: string) => Buffer.concat([Buffer.from([0x02, 0, s.length]), Buffer.from(s, "latin1")]);
  const parts = prefix ? [name("@setDataFrame"), name("onMetaData")] : [name("onMetaData")];
  return { type: SCRIPT, timestamp: 0, data: Buffer.concat([...parts, Buffer.from([marker])]) };
}

/** A readable name for each tag, so sequences compare as arrays. */
function label(tag: FlvTag): string {
  if (tag.type === SCRIPT) return `meta${tag.data.at(-1)}`;
  if (isSequenceHeader(tag)) return tag.type === VIDEO ? `vsh${tag.data[5]}` : `ash${tag.data[2]}`;
  if (tag.type === AUDIO) return `A${tag.timestamp}`;
  return `${tag.data[0] === 0x17 ? "K" : "P"}${tag.timestamp}`;
}

function drain(reader: HubReader<FlvTag>): string[] {
  const out: string[] = [];
  for (let tag = reader.poll(); tag !== undefined; tag = reader.poll()) out.push(label(tag));
  return out;
}

interface Warning {
  obj: Record<string, unknown>;
  msg: string;
}

function setup(options: { gopCacheMaxBytes?: number } = {}) {
  const warnings: Warning[] = [];
  let clock = 0;
  const hub = new ChannelHub({
    format: FLV_UNITS,
    logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
    now: () => clock,
    ...options,
  });
  const write = (...tags: FlvTag[]) => {
    for (const tag of tags) hub.write(tag);
  };
  const setClock = (ms: number) => {
    clock = ms;
  };
  return { hub, write, warnings, setClock };
}

const INIT = [metadata(), avcHeader(), aacHeader()];
const INIT_LABELS = ["meta1", "vsh1", "ash18"];

describe("ChannelHub: joining", () => {
  it("gives a reader joining mid-GOP the init tags, the GOP from its keyframe, then live tags", async () => {
    const { hub, write } = setup();
    write(...INIT, key(0), aac(10), inter(40), key(80), aac(90), inter(120));
    const reader = hub.subscribe();
    expect(reader.state).toBe("live");
    expect(drain(reader)).toEqual([...INIT_LABELS, "K80", "A90", "P120"]);
    write(inter(160), aac(170));
    expect(drain(reader)).toEqual(["P160", "A170"]);
    const pending = reader.next();
    const live = inter(200);
    write(live);
    expect(await pending).toBe(live);
  });

  it("starts a reader that joins before any keyframe at the first keyframe, dropping what came before", () => {
    const { hub, write } = setup();
    write(...INIT);
    const reader = hub.subscribe();
    write(aac(0), inter(0), aac(20));
    expect(drain(reader)).toEqual(INIT_LABELS);
    expect(reader.state).toBe("waiting_keyframe");
    write(key(40), aac(50), inter(80));
    expect(drain(reader)).toEqual(["K40", "A50", "P80"]);
    expect(reader.state).toBe("live");
  });

  it("recognises metadata sent as @setDataFrame onMetaData", () => {
    const { hub, write } = setup();
    write(metadata(7, true), avcHeader(), key(0), {
      type: SCRIPT,
      timestamp: 5,
      data: Buffer.from([2, 0, 1, 0x78]),
    });
    expect(drain(hub.subscribe())).toEqual(["meta7", "vsh1", "K0", "meta120"]);
  });
});

describe("ChannelHub: GOP cache", () => {
  it("resets the cache on every keyframe", () => {
    const { hub, write } = setup();
    write(...INIT, key(0), inter(40), aac(50), key(80), inter(120));
    expect(drain(hub.subscribe())).toEqual([...INIT_LABELS, "K80", "P120"]);
  });

  it("stops caching a GOP that outgrows the cap and resumes at the next keyframe", () => {
    // 31 FLV bytes a tag: K0, P40, P80 fit in 100 bytes, P120 does not.
    const { hub, write, warnings } = setup({ gopCacheMaxBytes: 100 });
    write(...INIT, key(0), inter(40), inter(80));
    expect(drain(hub.subscribe())).toEqual([...INIT_LABELS, "K0", "P40", "P80"]);
    write(inter(120));
    expect(warnings).toEqual([
      { obj: { gopBytes: 124, gopCacheMaxBytes: 100 }, msg: expect.stringContaining("cache cap") },
    ]);
    for (let ts = 160; ts < 40_000; ts += 40) write(inter(ts));
    const late = hub.subscribe();
    expect(drain(late)).toEqual(INIT_LABELS); // no stale half GOP
    expect(late.state).toBe("waiting_keyframe");
    expect(warnings).toHaveLength(1); // once per GOP, not per tag
    write(key(40_000), inter(40_040));
    expect(drain(late)).toEqual(["K40000", "P40040"]);
    expect(drain(hub.subscribe())).toEqual([...INIT_LABELS, "K40000", "P40040"]);
  });

  it("never holds more than its cap, even without keyframes", () => {
    const cache = new GopCache(FLV_UNITS, 1000);
    cache.add(key(0));
    for (let ts = 40; ts < 4000; ts += 40) {
      cache.add(inter(ts));
      expect(cache.startPoint().gopBytes).toBeLessThanOrEqual(1000);
    }
    expect(cache.state).toBe("over_cap");
    expect(cache.startPoint().gop).toBeNull();
  });

  it("replaces the init tags when a new sequence header arrives and drops the GOP coded before it", () => {
    const { hub, write } = setup();
    write(...INIT, key(0), inter(40));
    const live = hub.subscribe();
    write(avcHeader(2, 80), aacHeader(0x11, 80), metadata(2));
    const between = hub.subscribe();
    expect(drain(between)).toEqual(["meta2", "vsh2", "ash17"]);
    expect(between.state).toBe("waiting_keyframe");
    write(key(80), inter(120));
    expect(drain(between)).toEqual(["K80", "P120"]);
    expect(drain(hub.subscribe())).toEqual(["meta2", "vsh2", "ash17", "K80", "P120"]);
    // A live reader gets the new headers in-stream, before the frames that need them.
    expect(drain(live)).toEqual([...INIT_LABELS, "K0", "P40", "vsh2", "ash17", "meta2", "K80", "P120"]);
  });

  it("keeps the GOP when an encoder repeats an identical sequence header", () => {
    const { hub, write } = setup();
    write(...INIT, key(0), avcHeader(), inter(40));
    expect(drain(hub.subscribe())).toEqual([...INIT_LABELS, "K0", "P40"]);
  });
});

describe("ChannelHub: slow readers", () => {
  it("cuts a reader that never reads once its queue passes maxQueueBytes, and only that reader", async () => {
    const { hub, write, warnings } = setup();
    const slow = hub.subscribe({ name: "slow", maxQueueBytes: 200 });
    const fast = hub.subscribe({ name: "fast" });
    const got: string[] = [];
    const writeAndRead = (tag: FlvTag) => {
      write(tag);
      got.push(...drain(fast));
    };
    writeAndRead(key(0));
    for (let ts = 40; ts <= 200; ts += 40) writeAndRead(inter(ts));
    // Six tags of 31 bytes: 186 queued, the seventh would make 217.
    expect(slow.stats()).toEqual({ state: "live", bytesOut: 0, queuedBytes: 186, resyncs: 0 });
    expect(warnings).toEqual([]);
    writeAndRead(inter(240));
    expect(slow.state).toBe("ended");
    expect(slow.endReason).toEqual({ code: "too_slow", message: "too slow: 217 bytes in 7 units queued" });
    expect(await slow.whenEnded()).toEqual(slow.endReason);
    expect(slow.stats().queuedBytes).toBe(0);
    expect(await slow.next()).toBeNull();
    expect(warnings).toEqual([
      {
        obj: { reader: "slow", maxQueueBytes: 200, overflow: "cut" },
        msg: "hub: reader cut off, too slow: 217 bytes in 7 units queued",
      },
    ]);
    for (let ts = 280; ts <= 800; ts += 40) writeAndRead(inter(ts));
    expect(got).toHaveLength(21);
    expect(got.at(-1)).toBe("P800");
    expect(fast.state).toBe("live");
    expect(hub.stats().readers).toBe(1);
  });

  it("resyncs a reader that stops reading: bounded while away, then the current GOP, not old data", () => {
    const { hub, write, warnings } = setup();
    write(...INIT);
    const initBytes = hub.stats().bytesIn;
    const reader = hub.subscribe({ overflow: "resync", maxQueueBytes: 300 });
    // 20 GOPs of one keyframe, 3 inter frames and 3 audio frames (217 bytes).
    for (let gop = 0; gop < 20; gop += 1) {
      const t = gop * 1000;
      for (const tag of [
        key(t),
        aac(t + 10),
        inter(t + 40),
        aac(t + 50),
        inter(t + 80),
        aac(t + 90),
        inter(t + 120),
      ]) {
        write(tag);
        expect(reader.stats().queuedBytes).toBeLessThanOrEqual(300);
      }
    }
    expect(initBytes + 7 * 31).toBeLessThanOrEqual(300); // the current GOP fits, so it restarts on it
    expect(reader.stats()).toMatchObject({ state: "stalled", queuedBytes: 0, resyncs: 1 });
    expect(drain(reader)).toEqual([
      ...INIT_LABELS,
      "K19000",
      "A19010",
      "P19040",
      "A19050",
      "P19080",
      "A19090",
      "P19120",
    ]);
    write(inter(19_160));
    expect(drain(reader)).toEqual(["P19160"]);
    expect(reader.state).toBe("live");
    expect(warnings).toEqual([]); // a resync is routine for Remote Playback, not a warning
  });

  it("restarts a resync reader at the next keyframe when the current GOP would not fit", () => {
    const { hub, write } = setup();
    write(...INIT);
    const reader = hub.subscribe({ overflow: "resync", maxQueueBytes: 150 });
    write(key(0));
    for (let ts = 40; ts <= 400; ts += 40) write(inter(ts));
    expect(reader.state).toBe("stalled");
    expect(drain(reader)).toEqual(INIT_LABELS);
    expect(reader.state).toBe("waiting_keyframe");
    write(inter(440), key(480));
    expect(drain(reader)).toEqual(["K480"]);
  });
});

describe("ChannelHub: end and close", () => {
  it("ends readers after they drain what is queued; a waiting next() gets null", async () => {
    const { hub, write } = setup();
    write(...INIT, key(0));
    const queued = hub.subscribe();
    const idle = hub.subscribe();
    drain(idle);
    const pending = idle.next();
    write(inter(40));
    expect(label((await pending)!)).toBe("P40");
    const pendingAtEnd = idle.next();
    hub.end();
    expect(await pendingAtEnd).toBeNull();
    expect(idle.endReason).toEqual({ code: "publisher_left", message: "the publisher left" });
    expect(queued.state).toBe("draining");
    expect(drain(queued)).toEqual([...INIT_LABELS, "K0", "P40"]);
    expect(queued.state).toBe("ended");
    expect(queued.endReason?.code).toBe("publisher_left");
    expect(await queued.next()).toBeNull();
    expect(hub.stats().readers).toBe(0);
  });

  it("gives an ended reader to a subscriber after end, and refuses writes", async () => {
    const { hub, write } = setup();
    write(...INIT, key(0));
    hub.end();
    const reader = hub.subscribe();
    expect(reader.state).toBe("ended");
    expect(reader.endReason?.code).toBe("publisher_left");
    expect(await reader.next()).toBeNull();
    expect(() => write(inter(40))).toThrow(HubEndedError);
  });

  it("forgets a closed reader", async () => {
    const { hub, write } = setup();
    write(...INIT, key(0));
    const reader = hub.subscribe();
    const other = hub.subscribe();
    expect(hub.stats().readers).toBe(2);
    reader.close();
    expect(hub.stats().readers).toBe(1);
    write(inter(40));
    expect(reader.stats()).toEqual({ state: "ended", bytesOut: 0, queuedBytes: 0, resyncs: 0 });
    expect(await reader.whenEnded()).toEqual({ code: "closed", message: "closed by its consumer" });
    // Leaving a for-await loop early closes the reader too.
    const seen: string[] = [];
    for await (const tag of other) {
      seen.push(label(tag));
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(["meta1", "vsh1"]);
    expect(other.state).toBe("ended");
    expect(hub.stats().readers).toBe(0);
  });
});

describe("ChannelHub: stats", () => {
  /** 25 fps video (1000 FLV bytes a frame, a keyframe every 2 s) and 50 audio frames/s (200 bytes). */
  function feed(write: (tag: FlvTag) => void, setClock: (ms: number) => void, fromMs: number, toMs: number) {
    for (let t = fromMs; t < toMs; t += 20) {
      setClock(t);
      if (t % 40 === 0) write(t % 2000 === 0 ? key(t, 985) : inter(t, 985));
      write(aac(t, 185));
    }
  }

  it("measures bitrate and fps on the clock over the last complete seconds, and the keyframe interval", () => {
    const { hub, write, setClock } = setup();
    // A first burst at twice the rate, outside the window by the time we look.
    for (let t = 0; t < 5000; t += 20) {
      setClock(t);
      write(inter(t, 985));
    }
    feed(write, setClock, 5000, 10_000);
    setClock(10_000);
    expect(hub.stats()).toEqual({
      bitrateBps: (25 * 1000 + 50 * 200) * 8,
      audioBitrateBps: 50 * 200 * 8,
      fps: 25,
      keyframeIntervalSeconds: 2,
      bytesIn: 250 * 1000 + 125 * 1000 + 250 * 200,
      unitsIn: 250 + 125 + 250,
      readers: 0,
    });
    // The publisher stalls: the rates fall to zero once the window has passed.
    setClock(12_500); // the window is seconds 7..11, of which 7, 8 and 9 had data
    expect(hub.stats()).toMatchObject({ bitrateBps: (3 * 35_000 * 8) / 5, fps: 15 });
    setClock(15_000);
    expect(hub.stats()).toMatchObject({ bitrateBps: 0, fps: 0, keyframeIntervalSeconds: 2 });
  });

  it("reads the first seconds over the seconds that exist", () => {
    const { hub, write, setClock } = setup();
    setClock(500);
    expect(hub.stats()).toMatchObject({ bitrateBps: 0, fps: 0, keyframeIntervalSeconds: 0 });
    feed(write, setClock, 1000, 5000);
    setClock(5000); // four seconds of data, not five
    expect(hub.stats()).toMatchObject({ bitrateBps: 280_000, fps: 25, keyframeIntervalSeconds: 2 });
  });

  it("takes the keyframe interval from media timestamps, across the 32-bit wrap", () => {
    const { hub, write } = setup();
    write(key(2 ** 32 - 1000), inter(2 ** 32 - 960), key(3000));
    expect(hub.stats().keyframeIntervalSeconds).toBe(4);
    write(key(2000)); // backwards: not an interval
    expect(hub.stats().keyframeIntervalSeconds).toBe(4);
  });

  it("counts bytes out and queued per reader", () => {
    const { hub, write } = setup();
    const reader = hub.subscribe();
    write(key(0), inter(40, 100), aac(50, 20));
    expect(reader.stats()).toEqual({ state: "live", bytesOut: 0, queuedBytes: 31 + 115 + 35, resyncs: 0 });
    reader.poll();
    expect(reader.stats()).toMatchObject({ bytesOut: 31, queuedBytes: 115 + 35 });
  });
});

describe("unit counts (objects, not only bytes)", () => {
  it("cuts a reader at MAX_UNITS queued units even far under maxQueueBytes, and stops caching such a GOP", () => {
    const { hub, write } = setup();
    const slow = hub.subscribe({ name: "slow" });
    write(key(0, 2));
    for (let i = 1; i < MAX_UNITS; i++) write(inter(i, 2));
    expect(slow.stats()).toMatchObject({ state: "live", queuedBytes: MAX_UNITS * 17 });
    expect(hub.subscribe().stats().queuedBytes).toBe(MAX_UNITS * 17); // the whole GOP is cached
    write(inter(MAX_UNITS, 2));
    expect(slow.state).toBe("ended");
    expect(slow.endReason?.code).toBe("too_slow");
    expect(hub.subscribe().stats().queuedBytes).toBe(0); // over the cap: no GOP until the next keyframe
  });
});
