// Encode once, write many: writers that share a ChunkCache hand out the same Buffers for the same
// message, yet each reader decodes its own timestamps (type 1-3 headers carry deltas), a writer
// that joins late or skips a message writes its own headers until it matches again, and writers
// with different chunk sizes never take each other's bytes.
import { describe, expect, it } from "vitest";
import { ChunkCache } from "../../node/rtmp/chunk-cache.js";
import { ChunkReader } from "../../node/rtmp/chunk-reader.js";
import { ChunkWriter } from "../../node/rtmp/chunk-writer.js";
import { setChunkSizeMessage } from "../../node/rtmp/control.js";
import { Csid, MessageType, type RtmpMessage } from "../../node/rtmp/messages.js";

/** A channel's media: audio every 21 ms and video every 33 ms, as one hub hands it to every push. */
function stream(
  count: number,
): { source: object; csid: number; typeId: number; at: number; payload: Buffer }[] {
  const out = [];
  for (let i = 0; i < count; i++) {
    const video = i % 2 === 0;
    const at = video ? (i / 2) * 33 : ((i - 1) / 2) * 21;
    // Video frames vary in size (type 1 headers), audio frames do not (type 2, then 3).
    const payload = Buffer.alloc(video ? 900 + (i % 7) * 300 : 200, i & 0xff);
    out.push({
      source: {},
      csid: video ? Csid.video : Csid.audio,
      typeId: video ? MessageType.video : MessageType.audio,
      at: 10_000 + at,
      payload,
    });
  }
  return out;
}

interface Push {
  readonly writer: ChunkWriter;
  readonly reader: ChunkReader;
  readonly base: number;
  readonly received: RtmpMessage[];
  readonly written: Buffer[];
}

function push(chunkSize: number, base: number): Push {
  const writer = new ChunkWriter();
  const reader = new ChunkReader();
  const setSize = writer.write(setChunkSizeMessage(chunkSize));
  reader.push(setSize);
  return { writer, reader, base, received: [], written: [] };
}

function send(p: Push, m: ReturnType<typeof stream>[number], cache: ChunkCache): void {
  const message: RtmpMessage = {
    csid: m.csid,
    typeId: m.typeId,
    streamId: 1,
    timestamp: m.at - p.base,
    payload: m.payload,
  };
  const bytes = p.writer.encodeShared(message, m.source, cache);
  p.written.push(bytes);
  p.received.push(...p.reader.push(bytes).messages);
}

describe("ChunkWriter.encodeShared with a ChunkCache", () => {
  it("shares the Buffers of pushes in step, each with its own timestamps; a late push converges", () => {
    const cache = new ChunkCache();
    const media = stream(200);
    const early = push(60_000, 10_000);
    const late = push(60_000, 10_000 + 1_000);
    media.forEach((m, i) => {
      send(early, m, cache);
      if (i >= 100) send(late, m, cache);
    });
    expect(early.received.map((m) => m.timestamp)).toEqual(media.map((m) => m.at - 10_000));
    expect(late.received.map((m) => m.timestamp)).toEqual(media.slice(100).map((m) => m.at - late.base));
    expect(late.received.map((m) => m.payload)).toEqual(media.slice(100).map((m) => m.payload));
    // Its first message per chunk stream has a type 0 header of its own, its second audio message
    // its own type 2 (no delta to repeat yet, where the early push repeats it with a type 3); every
    // other message is exactly the early push's Buffer.
    const own = late.written.flatMap((bytes, i) => (bytes === early.written[i + 100] ? [] : [i]));
    expect(own).toEqual([0, 1, 3]);
    expect(cache.stats()).toEqual({ shared: 97, encoded: 200 + 3 });
  });

  it("a push that skipped a message writes its own header for the next one, then shares again", () => {
    const cache = new ChunkCache();
    const media = stream(40);
    const whole = push(4096, 0);
    const gappy = push(4096, 0);
    media.forEach((m, i) => {
      send(whole, m, cache);
      if (i !== 20) send(gappy, m, cache);
    });
    expect(gappy.received.map((m) => m.timestamp)).toEqual(media.filter((_, i) => i !== 20).map((m) => m.at));
    expect(gappy.received.map((m) => m.payload)).toEqual(
      media.filter((_, i) => i !== 20).map((m) => m.payload),
    );
    const lastOwn = gappy.written.findLastIndex((bytes, i) => bytes !== whole.written[i < 20 ? i : i + 1]);
    expect(lastOwn).toBeGreaterThanOrEqual(20);
    expect(lastOwn).toBeLessThan(24);
  });

  it("writers with different chunk sizes keep their own bytes and each decodes right", () => {
    const cache = new ChunkCache();
    const media = stream(60);
    const large = push(60_000, 10_000);
    const small = push(128, 10_000);
    for (const m of media) {
      send(large, m, cache);
      send(small, m, cache);
    }
    expect(small.received.map((m) => m.payload)).toEqual(media.map((m) => m.payload));
    expect(large.received.map((m) => m.payload)).toEqual(media.map((m) => m.payload));
    expect(small.written.some((bytes, i) => bytes === large.written[i])).toBe(false);
    expect(cache.stats().shared).toBe(0);
  });
});
