import { describe, expect, it } from "vitest";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import { AUDIO, encodeTag, FLV_HEADER, SCRIPT, VIDEO } from "../../node/media/flv.js";
import { FlvFormatError, FlvSplitter } from "../../node/media/flv-splitter.js";

const TAGS: FlvTag[] = [
  { type: SCRIPT, timestamp: 0, data: Buffer.from("onMetaData") },
  { type: VIDEO, timestamp: 0, data: Buffer.from([0x17, 0, 0, 0, 0, 1, 2, 3]) },
  { type: AUDIO, timestamp: 23, data: Buffer.from([0xaf, 1, 9, 9]) },
  // Past 24 bits: the extended timestamp byte.
  { type: VIDEO, timestamp: 0x1234_5678, data: Buffer.alloc(70_000, 7) },
];
const STREAM = Buffer.concat([FLV_HEADER, ...TAGS.map(encodeTag)]);
/** Comparable at once: vitest compares Buffers byte by byte, slowly. */
const hex = (tags: FlvTag[]) => tags.map((tag) => ({ ...tag, data: tag.data.toString("hex") }));

describe("FlvSplitter", () => {
  it("gives back the tags encodeTag wrote, however the bytes are cut", () => {
    for (const size of [1, 3, 11, 1316, STREAM.length]) {
      const splitter = new FlvSplitter();
      const tags: FlvTag[] = [];
      for (let at = 0; at < STREAM.length; at += size)
        tags.push(...splitter.push(STREAM.subarray(at, at + size)));
      expect(hex(tags), `chunks of ${size}`).toEqual(hex(TAGS));
    }
  });

  it("skips tag types it does not know", () => {
    const unknown = encodeTag({ type: 15 as FlvTag["type"], timestamp: 0, data: Buffer.from("x") });
    const tags = new FlvSplitter().push(Buffer.concat([FLV_HEADER, unknown, encodeTag(TAGS[2] as FlvTag)]));
    expect(tags).toEqual([TAGS[2]]);
  });

  it("refuses bytes that are not FLV", () => {
    expect(() => new FlvSplitter().push(Buffer.from([0x47, 0x40, 0x11, 0x10, 0, 0, 0, 0, 0]))).toThrow(
      FlvFormatError,
    );
  });
});
