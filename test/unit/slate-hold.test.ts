// SlateHold (node/slate/slate-hold.ts) with hand-made FLV tags and readers: live tags pass, a
// publisher that left puts the slate on air paced by the clock with timestamps continuing, a
// channel back live goes on air at its first keyframe, the slate time ends the hold, and a hold
// nobody reads ends with its reader. The clip signature follows the live stream's codecs.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ChannelCodecs } from "../../node/defs/codecs.js";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import type { EndReason, FeedReader } from "../../node/defs/relay.js";
import { AUDIO, VIDEO } from "../../node/media/flv.js";
import { FLV_HOLD } from "../../node/slate/hold-units.js";
import { signatureKey, signatureOf } from "../../node/slate/signature.js";
import { SlateHold } from "../../node/slate/slate-hold.js";
import type { SlateClip } from "../../node/slate/slate-store.js";

const CODECS: ChannelCodecs = {
  video: "h264",
  audio: "aac",
  width: 1280,
  height: 720,
  profile: "High",
  level: "3.1",
  sampleRate: 48_000,
  channels: 2,
};

const video = (timestamp: number, key: boolean, marker = 0): FlvTag => ({
  type: VIDEO,
  timestamp,
  data: Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0, marker]),
});
const videoHeader = (marker: number): FlvTag => ({
  type: VIDEO,
  timestamp: 0,
  data: Buffer.from([0x17, 0, 0, 0, 0, marker]),
});
const audio = (timestamp: number): FlvTag => ({ type: AUDIO, timestamp, data: Buffer.from([0xaf, 1, 0x21]) });

/** 10 frames at 30 fps (a keyframe first), a 400 ms period, marked 9 (the slate). */
const CLIP: SlateClip<FlvTag> = {
  init: [videoHeader(9)],
  media: Array.from({ length: 12 }, (_, i) => video(1000 + i * 33, i === 0, 9)),
  periodMs: 400,
};

interface FakeReader extends FeedReader {
  push(...tags: FlvTag[]): void;
  end(code: EndReason["code"]): void;
  readonly closed: boolean;
}

function fakeReader(): FakeReader {
  const queue: FlvTag[] = [];
  let resolve: (reason: EndReason) => void = () => {};
  const ended = new Promise<EndReason>((r) => {
    resolve = r;
  });
  let closed = false;
  return {
    tags: { poll: () => queue.shift(), whenEnded: () => ended },
    get stream(): never {
      throw new Error("bytes are not read in this test");
    },
    close() {
      closed = true;
      resolve({ code: "closed", message: "closed" });
    },
    push: (...tags) => queue.push(...tags),
    end: (code) => resolve({ code, message: code }),
    get closed() {
      return closed;
    },
  };
}

function drain(hold: SlateHold<FlvTag>): FlvTag[] {
  const out: FlvTag[] = [];
  for (let tag = hold.poll(); tag !== undefined; tag = hold.poll()) out.push(tag);
  return out;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

let clock = 0;

function holdWith(reader: FakeReader, seconds = 20) {
  const events: string[] = [];
  const asked: string[] = [];
  const hold = new SlateHold(FLV_HOLD, reader, seconds, {
    codecs: () => CODECS,
    clip: async (signature) => {
      asked.push(signatureKey(signature));
      return CLIP;
    },
    holding: (on) => events.push(on ? "on" : "off"),
    now: () => clock,
  });
  return { hold, events, asked };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("SlateHold", () => {
  it("measures the frame rate from times out of order (B-frames, as MPEG-TS units carry them)", () => {
    const live = fakeReader();
    const { hold, asked } = holdWith(live);
    // x265's order with 3 B-frames: presentation times 4, 2, 1, 3, 8, 6, 5, 7, ... frames of 33 ms.
    const order = [
      0,
      ...Array.from({ length: 40 }, (_, i) => 4 * Math.floor(i / 4) + ([4, 2, 1, 3][i % 4] as number)),
    ];
    live.push(videoHeader(1), ...order.map((frame, i) => video(5000 + frame * 33, i === 0, 1)));
    drain(hold);
    expect(asked).toEqual(["h264-high-3.1-1280x720-30-a48000x2"]);
  });

  it("passes live tags, holds with the slate paced by the clock, and goes live again on a keyframe", async () => {
    clock = 0;
    const live = fakeReader();
    const { hold, events, asked } = holdWith(live);
    live.push(videoHeader(1), ...Array.from({ length: 40 }, (_, i) => video(5000 + i * 33, i % 30 === 0, 1)));
    const passed = drain(hold);
    expect(passed).toHaveLength(41);
    expect(asked).toEqual(["h264-high-3.1-1280x720-30-a48000x2"]);
    const lastLive = passed[passed.length - 1] as FlvTag;

    live.end("publisher_left");
    await flush();
    expect(drain(hold)).toEqual([]);
    expect(hold.holding).toBe(true);
    expect(events).toEqual(["on"]);
    await flush();
    // The clip's first keyframe is due at once, with its new sequence header, a frame after the live.
    const first = drain(hold);
    expect(first.map((tag) => tag.data[5])).toEqual([9, 9]);
    expect(first[1]?.timestamp).toBe(lastLive.timestamp + 33);
    clock = 1000; // 1 s later: 30 frames more, looped past the 400 ms period
    const slate = drain(hold);
    expect(slate.length).toBeGreaterThanOrEqual(29);
    const stamps = [first[1] as FlvTag, ...slate].map((tag) => tag.timestamp);
    for (let i = 1; i < stamps.length; i += 1) expect(stamps[i]).toBeGreaterThan(stamps[i - 1] as number);

    const back = fakeReader();
    hold.resume(back);
    back.push(videoHeader(2), video(100, false, 2), audio(100), video(133, true, 2), video(166, false, 2));
    const resumed = drain(hold);
    expect(hold.state).toBe("live");
    expect(events).toEqual(["on", "off"]);
    expect(live.closed).toBe(true);
    // The new header, then its keyframe (the frame before it is dropped) right after the slate.
    expect(resumed.map((tag) => [tag.data[1], tag.data[5]])).toEqual([
      [0, 2],
      [1, 2],
      [1, 2],
    ]);
    expect(resumed[1]?.timestamp).toBe((stamps[stamps.length - 1] as number) + 33);
    hold.close();
    expect(back.closed).toBe(true);
  });

  it("ends as the publisher left once the slate time is over", async () => {
    vi.useFakeTimers();
    clock = 0;
    const live = fakeReader();
    const { hold } = holdWith(live, 5);
    live.push(videoHeader(1), video(0, true, 1));
    drain(hold);
    live.end("publisher_left");
    await vi.advanceTimersByTimeAsync(0);
    drain(hold);
    expect(hold.holding).toBe(true);
    let ended: EndReason | null = null;
    void hold.whenEnded().then((reason) => {
      ended = reason;
    });
    await vi.advanceTimersByTimeAsync(4_900);
    expect(ended).toBeNull();
    await vi.advanceTimersByTimeAsync(200);
    expect(ended).toMatchObject({ code: "publisher_left" });
    expect(hold.state).toBe("ended");
  });

  it("passes a cut-off reader's end on, and does not hold when nobody reads it", async () => {
    const slow = fakeReader();
    const first = holdWith(slow).hold;
    drain(first);
    slow.end("too_slow");
    expect(await first.whenEnded()).toMatchObject({ code: "too_slow" });

    const unread = fakeReader();
    const second = holdWith(unread);
    unread.end("publisher_left");
    expect(await second.hold.whenEnded()).toMatchObject({ code: "publisher_left" });
    expect(second.events).toEqual([]);
  });
});

describe("slate signature", () => {
  it("follows the live stream's codecs, with fallbacks for what it does not say", () => {
    expect(signatureOf(CODECS, 25)).toEqual({
      video: "h264",
      profile: "high",
      level: "3.1",
      width: 1280,
      height: 720,
      fps: 25,
      audio: { sampleRate: 48_000, channels: 2 },
    });
    const bare = {
      ...CODECS,
      audio: null,
      width: null,
      height: null,
      profile: "Constrained Baseline",
      level: null,
    };
    expect(signatureKey(signatureOf(bare, null) as never)).toBe("h264-baseline-auto-1280x720-30-silent");
    expect(signatureOf({ ...CODECS, video: null }, 30)).toBeNull();
  });
});
