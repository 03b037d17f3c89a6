// The chunk stream on hand-built bytes (each header type, extended timestamps, interleaving,
// Set Chunk Size, limits) and the writer -> reader round trip.
import { describe, expect, it } from "vitest";
import { ChunkReader, type ChunkReaderLimits, DEFAULT_READER_LIMITS } from "../../node/rtmp/chunk-reader.js";
import { ChunkWriter } from "../../node/rtmp/chunk-writer.js";
import { abortMessage, setChunkSizeMessage, windowAckSizeMessage } from "../../node/rtmp/control.js";
import {
  ChunkSequenceError,
  InvalidChunkSizeError,
  MessageTooLargeError,
  TooManyChunkStreamsError,
} from "../../node/rtmp/errors.js";
import type { RtmpMessage } from "../../node/rtmp/messages.js";
import { prng } from "../support/rtmp-fuzz-cases.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
const u24 = (n: number): string => n.toString(16).padStart(6, "0");
const u32 = (n: number): string => n.toString(16).padStart(8, "0");
const le32 = (n: number): string => Buffer.from(Uint32Array.of(n).buffer).toString("hex");
const body = (n: number, fill = 0xab): string => Buffer.alloc(n, fill).toString("hex");
const basic = (fmt: number, csid: number): string => {
  if (csid < 64) return ((fmt << 6) | csid).toString(16).padStart(2, "0");
  if (csid < 320)
    return ((fmt << 6) | 0).toString(16).padStart(2, "0") + (csid - 64).toString(16).padStart(2, "0");
  const v = csid - 64;
  return [(fmt << 6) | 1, v & 0xff, v >> 8].map((b) => b.toString(16).padStart(2, "0")).join("");
};
const fmt0 = (csid: number, ts: number, len: number, type: number, stream: number): string =>
  basic(0, csid) + u24(Math.min(ts, 0xffffff)) + u24(len) + type.toString(16).padStart(2, "0") + le32(stream);
const fmt1 = (csid: number, delta: number, len: number, type: number): string =>
  basic(1, csid) + u24(delta) + u24(len) + type.toString(16).padStart(2, "0");
const fmt2 = (csid: number, delta: number): string => basic(2, csid) + u24(delta);

function readAll(bytes: Buffer, reader = new ChunkReader()): RtmpMessage[] {
  return reader.push(bytes).messages;
}

function summary(messages: RtmpMessage[]): Array<[number, number, number, number, number]> {
  return messages.map((m) => [m.csid, m.timestamp, m.typeId, m.streamId, m.payload.length]);
}

describe("ChunkReader header types", () => {
  it("reads type 0, 1, 2 and 3 headers with delta timestamps", () => {
    const bytes = hex(
      fmt0(3, 1000, 5, 20, 0) +
        body(5, 1) +
        fmt1(3, 20, 4, 18) +
        body(4, 2) +
        fmt2(3, 30) +
        body(4, 3) +
        basic(3, 3) +
        body(4, 4), // type 3 starting a message: repeats the delta 30
    );
    const messages = readAll(bytes);
    expect(summary(messages)).toEqual([
      [3, 1000, 20, 0, 5],
      [3, 1020, 18, 0, 4],
      [3, 1050, 18, 0, 4],
      [3, 1080, 18, 0, 4],
    ]);
    expect(messages[3]?.payload).toEqual(Buffer.alloc(4, 4));
  });

  it("reassembles a message split into 128-byte chunks", () => {
    const payload = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const bytes = Buffer.concat([
      hex(fmt0(6, 0, 300, 9, 1)),
      payload.subarray(0, 128),
      hex(basic(3, 6)),
      payload.subarray(128, 256),
      hex(basic(3, 6)),
      payload.subarray(256),
    ]);
    const [message] = readAll(bytes);
    expect(message?.payload).toEqual(payload);
    expect(message?.streamId).toBe(1);
  });

  it("reads 1-, 2- and 3-byte basic headers (csid up to 65599)", () => {
    const ids = [2, 63, 64, 319, 320, 1000, 65599];
    const bytes = hex(ids.map((id) => `${fmt0(id, id, 1, 8, 1)}00`).join(""));
    expect(readAll(bytes).map((m) => m.csid)).toEqual(ids);
  });

  it("interleaves chunks of two chunk streams", () => {
    const a = body(200, 0xaa);
    const v = body(200, 0xbb);
    const bytes = hex(
      fmt0(4, 10, 200, 8, 1) +
        a.slice(0, 256) +
        fmt0(6, 10, 200, 9, 1) +
        v.slice(0, 256) +
        basic(3, 4) +
        a.slice(256) +
        basic(3, 6) +
        v.slice(256),
    );
    const messages = readAll(bytes);
    expect(summary(messages)).toEqual([
      [4, 10, 8, 1, 200],
      [6, 10, 9, 1, 200],
    ]);
    expect(messages[0]?.payload).toEqual(Buffer.alloc(200, 0xaa));
    expect(messages[1]?.payload).toEqual(Buffer.alloc(200, 0xbb));
  });

  it("gives the same messages fed one byte at a time", () => {
    const bytes = hex(
      fmt0(3, 5, 300, 20, 0) + body(128) + basic(3, 3) + body(128) + basic(3, 3) + body(44) + fmt2(3, 7),
    );
    const reader = new ChunkReader();
    const messages: RtmpMessage[] = [];
    for (const byte of bytes) messages.push(...reader.push(Buffer.from([byte])).messages);
    expect(summary(messages)).toEqual([[3, 5, 20, 0, 300]]);
  });

  it("delivers a zero-length message", () => {
    expect(summary(readAll(hex(`${fmt0(3, 1, 0, 20, 0) + fmt0(4, 2, 1, 8, 0)}00`)))).toEqual([
      [3, 1, 20, 0, 0],
      [4, 2, 8, 0, 1],
    ]);
  });
});

describe("ChunkReader extended timestamps", () => {
  const big = 0x01020304;

  it("reads an extended timestamp on type 0 and its repeat on type 3 continuation chunks", () => {
    const bytes = hex(
      fmt0(6, 0xffffff, 200, 9, 1) + u32(big) + body(128, 1) + basic(3, 6) + u32(big) + body(72, 2),
    );
    const [message] = readAll(bytes);
    expect(message?.timestamp).toBe(big);
    expect(message?.payload).toEqual(Buffer.concat([Buffer.alloc(128, 1), Buffer.alloc(72, 2)]));
  });

  it("also accepts continuation chunks without the repeat (older encoders)", () => {
    const bytes = hex(fmt0(6, 0xffffff, 200, 9, 1) + u32(big) + body(128, 1) + basic(3, 6) + body(72, 2));
    const [message] = readAll(bytes);
    expect(message?.timestamp).toBe(big);
    expect(message?.payload).toEqual(Buffer.concat([Buffer.alloc(128, 1), Buffer.alloc(72, 2)]));
  });

  it("reads extended deltas on types 1 and 2 and on a type 3 that starts a message", () => {
    const delta = 0x01000000;
    const bytes = hex(
      fmt0(6, 100, 1, 9, 1) +
        "00" +
        fmt1(6, 0xffffff, 1, 9) +
        u32(delta) +
        "00" +
        fmt2(6, 0xffffff) +
        u32(delta) +
        "00" +
        basic(3, 6) +
        u32(delta) +
        "00",
    );
    expect(readAll(bytes).map((m) => m.timestamp)).toEqual([
      100,
      100 + delta,
      100 + 2 * delta,
      100 + 3 * delta,
    ]);
  });

  it("wraps timestamps at 32 bits", () => {
    const bytes = hex(`${fmt0(6, 0xffffff, 1, 9, 1) + u32(0xfffffff0)}00${fmt2(6, 0x20)}00`);
    expect(readAll(bytes).map((m) => m.timestamp)).toEqual([0xfffffff0, 0x10]);
  });
});

describe("ChunkReader control and limits", () => {
  it("applies Set Chunk Size from the very next chunk, in the same push", () => {
    const bytes = hex(fmt0(2, 0, 4, 1, 0) + u32(4096) + fmt0(6, 0, 3000, 9, 1) + body(3000));
    const reader = new ChunkReader();
    const messages = readAll(bytes, reader);
    expect(summary(messages)).toEqual([
      [2, 0, 1, 0, 4],
      [6, 0, 9, 1, 3000],
    ]);
    expect(reader.chunkSize).toBe(4096);
  });

  it("accepts 128 up to the largest chunk size and refuses less than 128 and the top bit", () => {
    expect(new ChunkReader().push(hex(fmt0(2, 0, 4, 1, 0) + u32(0x7fffffff))).messages).toHaveLength(1);
    expect(new ChunkReader().push(hex(fmt0(2, 0, 4, 1, 0) + u32(128))).messages).toHaveLength(1);
    for (const size of [0, 1, 60, 127])
      expect(() => new ChunkReader().push(hex(fmt0(2, 0, 4, 1, 0) + u32(size)))).toThrow(
        InvalidChunkSizeError,
      );
    expect(() => new ChunkReader().push(hex(fmt0(2, 0, 4, 1, 0) + u32(0x80000000)))).toThrow(
      InvalidChunkSizeError,
    );
  });

  it("drops a partial message on Abort", () => {
    const bytes = hex(
      `${fmt0(6, 0, 300, 9, 1) + body(128) + fmt0(2, 0, 4, 2, 0) + u32(6) + fmt0(6, 0, 2, 9, 1)}0102`,
    );
    const messages = readAll(bytes);
    expect(summary(messages)).toEqual([
      [2, 0, 2, 0, 4],
      [6, 0, 9, 1, 2],
    ]);
  });

  it("asks for an Acknowledgement when the peer's window is crossed", () => {
    const reader = new ChunkReader();
    const first = reader.push(hex(fmt0(2, 0, 4, 5, 0) + u32(1000)));
    expect(first.acknowledgement).toBeNull();
    const media = hex(fmt0(6, 0, 1000, 9, 1) + body(128) + (basic(3, 6) + body(128)).repeat(6) + basic(3, 6));
    expect(reader.push(media).acknowledgement).toBeNull(); // 931 bytes so far
    expect(reader.push(hex(body(104))).acknowledgement).toBe(1035);
    expect(reader.push(hex(basic(3, 6) + body(100))).acknowledgement).toBeNull(); // next one due at 2035
  });

  const small: ChunkReaderLimits = {
    maxMessageSize: 1000,
    maxCommandSize: 100,
    maxChunkStreams: 4,
    maxBufferedBytes: 1500,
  };

  it("refuses a message longer than the cap at its header, before any payload", () => {
    expect(readAll(hex(fmt0(3, 0, 1000, 9, 1)), new ChunkReader(small))).toEqual([]);
    expect(() => new ChunkReader(small).push(hex(fmt0(3, 0, 1001, 9, 1)))).toThrow(MessageTooLargeError);
    expect(() => new ChunkReader().push(hex(fmt0(3, 0, 0xffffff, 9, 1)))).toThrow(MessageTooLargeError);
    expect(DEFAULT_READER_LIMITS.maxMessageSize).toBe(8 * 1024 * 1024);
  });

  it("refuses a command, metadata or control message over its smaller cap", () => {
    for (const type of [1, 4, 15, 17, 18, 20]) {
      expect(readAll(hex(fmt0(3, 0, 100, type, 0)), new ChunkReader(small))).toEqual([]);
      expect(() => new ChunkReader(small).push(hex(fmt0(3, 0, 101, type, 0)))).toThrow(MessageTooLargeError);
    }
    expect(DEFAULT_READER_LIMITS.maxCommandSize).toBe(256 * 1024);
  });

  it("holds a partial message in one buffer at most twice what arrived, whatever the chunk count", () => {
    // 1 MiB announced, 1,000 chunks of 128 bytes: 128,000 bytes arrived, 128 KiB held.
    const reader = new ChunkReader({ ...DEFAULT_READER_LIMITS, maxBufferedBytes: 200 * 1024 });
    const chunks = hex(fmt0(6, 0, 1024 * 1024, 9, 1) + body(128) + (basic(3, 6) + body(128)).repeat(999));
    expect(reader.push(chunks).messages).toEqual([]);
    // The cap counts what is allocated: a second such message does not fit beside the first.
    const second = hex(fmt0(7, 0, 1024 * 1024, 9, 1) + body(128) + (basic(3, 7) + body(128)).repeat(999));
    expect(() => reader.push(second)).toThrow(TooManyChunkStreamsError);
  });

  it("once trusted, allocates a message at its announced length: the same bytes, the same cap", () => {
    const limits = { ...DEFAULT_READER_LIMITS, maxBufferedBytes: 200 * 1024 };
    const payload = Buffer.from(Array.from({ length: 12_345 }, (_, i) => i % 251));
    const writer = new ChunkWriter();
    const bytes = writer.write({ csid: 6, timestamp: 40, typeId: 9, streamId: 1, payload });
    const trusted = new ChunkReader(limits);
    trusted.trustLengths();
    expect(readAll(bytes, trusted).map((m) => m.payload)).toEqual([payload]);
    // The capacity counts at the first chunk now: 1 MiB announced is over the 200 KiB at once.
    const announced = hex(fmt0(7, 0, 1024 * 1024, 9, 1) + body(128));
    expect(readAll(announced, new ChunkReader(limits))).toEqual([]);
    expect(() => trusted.push(announced)).toThrow(TooManyChunkStreamsError);
  });

  it("caps chunk streams and the bytes held across partial messages", () => {
    const five = hex([3, 4, 5, 6, 7].map((id) => `${fmt0(id, 0, 1, 8, 1)}00`).join(""));
    expect(() => new ChunkReader(small).push(five)).toThrow(TooManyChunkStreamsError);
    const partials = hex(
      [3, 4].map((id) => fmt0(id, 0, 1000, 9, 1) + body(128)).join("") +
        [3, 4].map((id) => (basic(3, id) + body(128)).repeat(5)).join(""),
    );
    expect(() => new ChunkReader(small).push(partials)).toThrow(TooManyChunkStreamsError);
  });

  it("refuses a compressed header on a chunk stream that has none, and stays failed", () => {
    const reader = new ChunkReader();
    expect(() => reader.push(hex(`${fmt1(3, 0, 1, 8)}00`))).toThrow(ChunkSequenceError);
    expect(() => reader.push(hex(`${fmt0(3, 0, 1, 8, 0)}00`))).toThrow(ChunkSequenceError);
    expect(() => new ChunkReader().push(hex(basic(3, 9)))).toThrow(ChunkSequenceError);
  });
});

describe("ChunkWriter", () => {
  it("compresses headers: type 0, then 1, 2 and 3 as fields repeat", () => {
    const writer = new ChunkWriter();
    const m = (timestamp: number, length: number, typeId = 9): RtmpMessage => ({
      csid: 6,
      streamId: 1,
      typeId,
      timestamp,
      payload: Buffer.alloc(length),
    });
    expect(writer.write(m(0, 10))[0]! >> 6).toBe(0);
    expect(writer.write(m(33, 10))[0]! >> 6).toBe(2); // never type 3 right after a type 0
    expect(writer.write(m(66, 10))[0]! >> 6).toBe(3);
    expect(writer.write(m(100, 12))[0]! >> 6).toBe(1);
    expect(writer.write(m(50, 12))[0]! >> 6).toBe(0); // time went backwards
  });

  it("splits by its own chunk size and switches after a Set Chunk Size", () => {
    const writer = new ChunkWriter();
    const big: RtmpMessage = {
      csid: 7,
      streamId: 1,
      typeId: 9,
      timestamp: 0,
      payload: Buffer.alloc(5000, 1),
    };
    expect(writer.write(big).length).toBe(12 + 5000 + Math.ceil(5000 / 128) - 1);
    writer.write(setChunkSizeMessage(4096));
    expect(writer.chunkSize).toBe(4096);
    expect(writer.write({ ...big, timestamp: 1 }).length).toBe(4 + 5000 + 1); // type 2 header, one continuation
  });

  it("refuses chunk stream ids out of range", () => {
    const writer = new ChunkWriter();
    const m: RtmpMessage = { csid: 1, streamId: 0, typeId: 20, timestamp: 0, payload: Buffer.alloc(1) };
    expect(() => writer.write(m)).toThrow(RangeError);
    expect(() => writer.write({ ...m, csid: 65600 })).toThrow(RangeError);
  });

  it("round-trips through the reader: random messages, sizes, splits and chunk sizes", () => {
    const random = prng(42);
    const writer = new ChunkWriter();
    const reader = new ChunkReader();
    const sent: RtmpMessage[] = [];
    const wire: Buffer[] = [];
    const csids = [2, 3, 4, 6, 7, 63, 64, 300, 320, 65599];
    const clocks = new Map<number, number>();
    for (let i = 0; i < 600; i++) {
      if (i % 97 === 0) {
        const size = [128, 129, 1000, 4096, 65536, 0x7fffffff][Math.floor(random() * 6)]!;
        const control = setChunkSizeMessage(size);
        sent.push(control);
        wire.push(writer.write(control));
        continue;
      }
      const csid = csids[Math.floor(random() * csids.length)]!;
      let ts = clocks.get(csid) ?? Math.floor(random() * 0x1000000) + (random() < 0.3 ? 0xfffff0 : 0);
      const roll = random();
      ts =
        roll < 0.1 ? ts - 5 : roll < 0.2 ? ts + 0x1000000 : roll < 0.5 ? ts : ts + Math.floor(random() * 50);
      ts >>>= 0;
      clocks.set(csid, ts);
      const length = random() < 0.1 ? 0 : Math.floor(random() * (random() < 0.1 ? 20_000 : 400));
      const message: RtmpMessage = {
        csid,
        streamId: csid % 3,
        typeId: random() < 0.5 ? 8 : 9,
        timestamp: ts,
        payload: Buffer.from(Array.from({ length }, () => Math.floor(random() * 256))),
      };
      sent.push(message);
      wire.push(writer.write(message));
    }
    const bytes = Buffer.concat(wire);
    const received: RtmpMessage[] = [];
    for (let p = 0; p < bytes.length; ) {
      const n = 1 + Math.floor(random() * 3000);
      received.push(...reader.push(bytes.subarray(p, p + n)).messages);
      p += n;
    }
    expect(received.length).toBe(sent.length);
    received.forEach((m, i) => {
      expect({ ...m, payload: m.payload.toString("hex") }, `message ${i}`).toEqual({
        ...sent[i],
        payload: sent[i]!.payload.toString("hex"),
      });
    });
  });

  it("writes control messages the reader applies (window, abort)", () => {
    const writer = new ChunkWriter();
    const reader = new ChunkReader();
    const out = reader.push(
      Buffer.concat([writer.write(windowAckSizeMessage(10)), writer.write(abortMessage(6))]),
    );
    expect(out.messages.map((m) => m.typeId)).toEqual([5, 2]);
    expect(out.acknowledgement).toBe(16 + 12); // a type 0 then a type 1 header, 4-byte bodies
  });
});
