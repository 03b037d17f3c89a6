// FlvSplice: one continuous timeline across inputs with their own clocks, sequence headers only
// when they change.
import { describe, expect, it } from "vitest";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import { FlvSplice } from "../../node/ingest/inputs/flv-splice.js";

const video = (timestamp: number, key = false): FlvTag => ({
  type: 9,
  timestamp,
  data: Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0, 0xaa]),
});
const audio = (timestamp: number): FlvTag => ({ type: 8, timestamp, data: Buffer.from([0xaf, 1, 0x21]) });
/** A sequence header whose record has one SPS (67 64 00 id) and one PPS (68 id), 4-byte lengths. */
const avcConfig = (id: number): FlvTag => ({
  type: 9,
  timestamp: 0,
  data: Buffer.from([
    0x17,
    0,
    0,
    0,
    0,
    ...[1, 0x64, 0, 0x1f, 0xff, 0xe1],
    ...[0, 4, 0x67, 0x64, 0, id],
    1,
    0,
    2,
    0x68,
    id,
  ]),
});
const aacConfig = (): FlvTag => ({ type: 8, timestamp: 0, data: Buffer.from([0xaf, 0, 0x11, 0x90]) });

function splice() {
  const out: FlvTag[] = [];
  return { out, s: new FlvSplice((tag) => out.push(tag)) };
}

describe("FlvSplice", () => {
  it("passes the first input's timestamps through", () => {
    const { s, out } = splice();
    s.cut([avcConfig(1), aacConfig()], [video(1_000, true)]);
    s.pass(audio(1_010));
    s.pass(video(1_033));
    expect(out.map((t) => t.timestamp)).toEqual([0, 0, 1_000, 1_010, 1_033]);
  });

  it("continues the next input one frame after the last video tag, whatever its clock", () => {
    const { s, out } = splice();
    s.cut([avcConfig(1), aacConfig()], [video(5_000, true)]);
    for (let t = 5_040; t <= 5_400; t += 40) s.pass(video(t));
    s.pass(audio(5_390));
    out.length = 0;
    s.cut([avcConfig(1), aacConfig()], [video(100, true), audio(10), audio(130), video(140)]);
    // identical sequence headers are not sent again; audio that would go back is dropped
    expect(out.map((t) => [t.type, t.timestamp])).toEqual([
      [9, 5_440],
      [8, 5_470],
      [9, 5_480],
    ]);
  });

  it("drops a tag of the next input that lands on the last one's millisecond", () => {
    const { s, out } = splice();
    s.cut([], [video(0, true)]);
    s.pass(audio(10));
    s.pass(video(40));
    s.pass(audio(50));
    out.length = 0;
    // the keyframe (1,000) lands at 80, the audio at 970 on 50 (the last audio's), at 993 on 73
    s.cut([], [video(1_000, true), audio(970), audio(993), video(1_040)]);
    expect(out.map((t) => [t.type, t.timestamp])).toEqual([
      [9, 80],
      [8, 73],
      [9, 120],
    ]);
  });

  it("sends new sequence headers when the configuration changes", () => {
    const { s, out } = splice();
    s.cut([avcConfig(1), aacConfig()], [video(0, true)]);
    s.pass(video(40));
    out.length = 0;
    s.cut([avcConfig(2), aacConfig()], [video(900, true)]);
    expect(out[0]).toMatchObject({ type: 9, timestamp: 40 });
    expect(out[0]?.data.at(-1)).toBe(2);
    expect(out[1]).toMatchObject({ type: 9, timestamp: 80 });
    // the new SPS and PPS also go in band, in front of the keyframe's own NAL units
    const sps = [0, 0, 0, 4, 0x67, 0x64, 0, 2];
    const pps = [0, 0, 0, 2, 0x68, 2];
    expect([...(out[1]?.data ?? [])]).toEqual([0x17, 1, 0, 0, 0, ...sps, ...pps, 0xaa]);
  });

  it("presents the next input's keyframe after the old input's reordered frames", () => {
    const { s, out } = splice();
    s.cut([], [video(0, true)]);
    s.pass(video(967));
    // a P frame decoded at 1000 but presented 2 frames later (B-frames come between)
    s.pass({ type: 9, timestamp: 1_000, data: Buffer.from([0x27, 1, 0, 0, 67, 0xaa]) });
    s.cut([], [video(40, true)]);
    expect(out.at(-1)?.timestamp).toBe(1_100);
  });

  it("never goes back across a 32-bit wrap", () => {
    const { s, out } = splice();
    s.cut([], [video(2 ** 32 - 40, true)]);
    s.pass(video(2 ** 32 - 7));
    s.cut([], [video(100, true)]);
    s.pass(video(133));
    expect(out.map((t) => t.timestamp)).toEqual([2 ** 32 - 40, 2 ** 32 - 7, 26, 59]);
  });
});
