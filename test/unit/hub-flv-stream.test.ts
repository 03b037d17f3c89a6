import { once } from "node:events";
import { Writable } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { FlvTag, TagType } from "../../node/defs/flv-tag.js";
import { ChannelHub, FLV_UNITS, ReaderCutError, toFlvStream } from "../../node/hub/index.js";
import { AUDIO, FLV_HEADER, SCRIPT, VIDEO } from "../../node/media/flv.js";

function tag(type: TagType, timestamp: number, bytes: number[], size = 16): FlvTag {
  const data = Buffer.alloc(Math.max(size, bytes.length), timestamp & 0xff);
  Buffer.from(bytes).copy(data);
  return { type, timestamp, data };
}
const META: FlvTag = tag(SCRIPT, 0, [0x02, 0, 10, ...Buffer.from("onMetaData"), 0x05]);
const AVC_HEADER: FlvTag = tag(VIDEO, 0, [0x17, 0, 0, 0, 0, 1], 6);
const AAC_HEADER: FlvTag = tag(AUDIO, 0, [0xaf, 0, 0x12, 0x10], 4);
const key = (ts: number, size?: number) => tag(VIDEO, ts, [0x17, 1], size);
const inter = (ts: number, size?: number) => tag(VIDEO, ts, [0x27, 1], size);
const aac = (ts: number) => tag(AUDIO, ts, [0xaf, 1]);

/** The test's own FLV parser: header, then tags, checking every PreviousTagSize. */
function parseFlv(bytes: Buffer): { header: Buffer; tags: FlvTag[] } {
  const header = bytes.subarray(0, 13);
  const tags: FlvTag[] = [];
  let at = 13;
  while (at < bytes.length) {
    const size = bytes.readUIntBE(at + 1, 3);
    const timestamp = (bytes.readUIntBE(at + 4, 3) | (bytes.readUInt8(at + 7) << 24)) >>> 0;
    expect(bytes.readUIntBE(at + 8, 3)).toBe(0);
    const data = Buffer.from(bytes.subarray(at + 11, at + 11 + size));
    expect(bytes.readUInt32BE(at + 11 + size)).toBe(11 + size);
    tags.push({ type: bytes.readUInt8(at) as TagType, timestamp, data });
    at += 11 + size + 4;
  }
  expect(at).toBe(bytes.length);
  return { header, tags };
}

function setup() {
  const warnings: string[] = [];
  const hub = new ChannelHub({
    format: FLV_UNITS,
    logger: { warn: (_obj, msg) => warnings.push(msg) },
    now: () => 0,
  });
  return { hub, warnings };
}

describe("toFlvStream", () => {
  it("emits FLV_HEADER then the reader's tags as FLV, and ends when the publisher leaves", async () => {
    const { hub } = setup();
    const before = [META, AVC_HEADER, AAC_HEADER, key(0), aac(10), inter(40)];
    for (const t of before) hub.write(t);
    const stream = toFlvStream(hub.subscribe());
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    const ended = once(stream, "end");
    await nextTurn();
    // Live tags while the stream waits for them, including a timestamp past 24 bits.
    const after = [inter(80, 3000), aac(90), key(0x1234567)];
    for (const t of after) {
      hub.write(t);
      await nextTurn();
    }
    hub.end();
    await ended;
    const { header, tags } = parseFlv(Buffer.concat(chunks));
    expect(header).toEqual(FLV_HEADER);
    expect(tags).toEqual([...before, ...after]);
  });

  it("trips the cut policy when nobody reads the stream, holding at most maxQueueBytes", async () => {
    const { hub, warnings } = setup();
    hub.write(key(0));
    const reader = hub.subscribe({ maxQueueBytes: 1000 });
    const stream = toFlvStream(reader, { highWaterMark: 256 });
    const failed = once(stream, "error");
    for (let ts = 40; reader.state !== "ended" && ts < 40_000; ts += 40) {
      hub.write(inter(ts, 100));
      expect(reader.stats().queuedBytes).toBeLessThanOrEqual(1000);
    }
    // 31 bytes of keyframe + 8 frames of 115 = 951 queued; the ninth frame would make 1066.
    expect(reader.endReason).toEqual({
      code: "too_slow",
      message: "too slow: 1066 bytes in 10 units queued",
    });
    const [error] = await failed;
    expect(error).toBeInstanceOf(ReaderCutError);
    expect((error as Error).message).toBe("too slow: 1066 bytes in 10 units queued");
    expect(stream.destroyed).toBe(true);
    expect(warnings).toEqual(["hub: reader cut off, too slow: 1066 bytes in 10 units queued"]);
    expect(hub.stats().readers).toBe(0);
  });

  it("lets a stuck pipe destination fill the reader's queue, not memory, until the reader is cut", async () => {
    const { hub } = setup();
    hub.write(key(0));
    const reader = hub.subscribe({ maxQueueBytes: 64 * 1024 });
    const stream = toFlvStream(reader, { highWaterMark: 16 * 1024 });
    // Like an ffmpeg that stopped reading its stdin: accepts writes, never completes them.
    const stuck = new Writable({ highWaterMark: 16 * 1024, write: () => {} });
    stream.pipe(stuck);
    const failed = once(stream, "error");
    let written = 0;
    // Bursts of ten 1 KiB frames a turn, so tags queue up between the stream's reads.
    const cut = () => reader.state === "ended"; // a call, so TypeScript does not narrow the getter
    while (!cut() && written < 10_000) {
      for (let i = 0; i < 10 && !cut(); i += 1) {
        hub.write(inter(written * 40, 1000));
        written += 1;
      }
      await nextTurn();
      expect(reader.stats().queuedBytes).toBeLessThanOrEqual(64 * 1024);
      // Each buffer holds at most its mark plus one chunk; a chunk gathers tags up to the mark (+ one tag).
      const slack = 2 * 16 * 1024 + 1015;
      expect(stream.readableLength).toBeLessThanOrEqual(slack);
      expect(stuck.writableLength).toBeLessThanOrEqual(slack);
    }
    expect(reader.endReason?.code).toBe("too_slow");
    expect(written).toBeLessThan(200); // ~130 KiB of 1 KiB frames fit in all the buffers together
    expect((await failed)[0]).toBeInstanceOf(ReaderCutError);
    stuck.destroy();
  });

  it("gathers live tags for coalesceMs and hands them on as one chunk", async () => {
    const { hub } = setup();
    hub.write(AVC_HEADER);
    hub.write(key(0));
    const stream = toFlvStream(hub.subscribe(), { coalesceMs: 30 });
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(chunks).toHaveLength(1); // header, sequence header and the cached GOP at once
    hub.write(inter(40));
    hub.write(aac(45));
    hub.write(inter(80));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(chunks).toHaveLength(2);
    const live = parseFlv(Buffer.concat([FLV_HEADER, chunks[1] as Buffer])).tags;
    expect(live.map((t) => t.timestamp)).toEqual([40, 45, 80]);
    stream.destroy();
  });

  it("closes the reader when the stream is destroyed", async () => {
    const { hub } = setup();
    hub.write(key(0));
    const reader = hub.subscribe();
    const stream = toFlvStream(reader);
    stream.destroy();
    expect(await reader.whenEnded()).toEqual({ code: "closed", message: "closed by its consumer" });
    expect(hub.stats().readers).toBe(0);
  });
});
