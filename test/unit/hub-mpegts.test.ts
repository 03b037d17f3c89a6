// MPEG-TS in the hub: a real ffmpeg stream cut into units (PAT, PMT, one unit per video frame), the
// keyframes found with and without the random-access indicator, and a late reader whose bytes
// ffprobe reads as a stream that starts on a keyframe.
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { ChannelHub, type HubReader, TS_UNITS, toTsStream } from "../../node/hub/index.js";
import { packetHeader, TS_PACKET } from "../../node/media/mpegts.js";
import { MAX_UNIT_BYTES, TsSplitter, type TsUnit } from "../../node/media/ts-splitter.js";
import { hevcClip, smallTsClip } from "../support/media.js";
import { prng } from "../support/rtmp-fuzz-cases.js";

let h264: Buffer;
let hevc: Buffer;

beforeAll(async () => {
  h264 = readFileSync(await smallTsClip());
  hevc = readFileSync(await hevcClip());
}, 120_000);

function split(bytes: Buffer, chunkSizes?: () => number): TsUnit[] {
  const splitter = new TsSplitter();
  const units: TsUnit[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = chunkSizes ? chunkSizes() : bytes.length;
    units.push(...splitter.push(bytes.subarray(at, at + size)));
    at += size;
  }
  return [...units, ...splitter.end()];
}

const keyframeTimes = (units: TsUnit[]) =>
  units.filter((u) => u.kind === "media" && u.keyframe).map((u) => u.timestamp);

/** The same stream with every random-access indicator cleared, as some encoders send it. */
function withoutRandomAccess(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  for (let at = 0; at + TS_PACKET <= copy.length; at += TS_PACKET) {
    const packet = copy.subarray(at, at + TS_PACKET);
    if (packetHeader(packet)?.randomAccess) packet[5] = (packet[5] as number) & ~0x40;
  }
  return copy;
}

describe("TsSplitter on ffmpeg's MPEG-TS", () => {
  it("cuts a unit at MAX_UNIT_BYTES when no next video PES start comes", () => {
    const units = split(h264);
    const frame = units.find((u) => u.kind === "media" && u.videoFrame && u.bytes.length > TS_PACKET)!;
    // The frame's own continuation packets, repeated: one video PID, never a unit start.
    const continuation = frame.bytes.subarray(TS_PACKET, 2 * TS_PACKET);
    expect(packetHeader(continuation)?.unitStart).toBe(false);
    const splitter = new TsSplitter();
    const head = Buffer.concat(units.slice(0, units.indexOf(frame) + 1).map((u) => u.bytes));
    splitter.push(head);
    const count = Math.ceil((2.5 * MAX_UNIT_BYTES) / TS_PACKET);
    const cut = splitter.push(Buffer.concat(Array.from({ length: count }, () => continuation)));
    expect(cut.length).toBe(2);
    for (const unit of cut) expect(unit.bytes.length).toBeLessThan(MAX_UNIT_BYTES + TS_PACKET);
  });

  it("cuts PAT, PMT, then one media unit per video frame, losing no byte", () => {
    const units = split(h264);
    // ffmpeg writes its SDT first: a media unit of no video.
    const firstFrame = units.findIndex((u) => u.kind === "media" && u.videoFrame);
    expect(units.slice(0, firstFrame).map((u) => u.kind)).toEqual(["media", "pat", "pmt"]);
    const frames = units.filter((u) => u.kind === "media" && u.videoFrame);
    expect(frames).toHaveLength(90); // 3 s at 30 fps
    expect(Buffer.concat(units.map((u) => u.bytes)).equals(h264)).toBe(true);
  });

  it("finds a keyframe every 15 frames, from the random-access indicator or from the NAL types", () => {
    const expected = [0, 500, 1000, 1500, 2000, 2500];
    const first = keyframeTimes(split(h264))[0] as number;
    expect(keyframeTimes(split(h264)).map((t) => t - first)).toEqual(expected);
    expect(keyframeTimes(split(withoutRandomAccess(h264))).map((t) => t - first)).toEqual(expected);
  });

  it("finds HEVC keyframes (IRAP) without the random-access indicator", () => {
    const marked = keyframeTimes(split(hevc));
    expect(marked.length).toBe(3); // 3 s, a keyframe a second
    expect(keyframeTimes(split(withoutRandomAccess(hevc)))).toEqual(marked);
  });

  it("gives the same units whatever the chunking", () => {
    const random = prng(7);
    const chunked = split(h264, () => 1 + Math.floor(random() * 3000));
    const whole = split(h264);
    expect(chunked.map((u) => u.bytes.toString("hex"))).toEqual(whole.map((u) => u.bytes.toString("hex")));
  });
});

function tsHub() {
  return new ChannelHub({ format: TS_UNITS, logger: { warn: () => {} }, now: () => 0 });
}

function kinds(reader: HubReader<TsUnit>): string[] {
  const out: string[] = [];
  for (let unit = reader.poll(); unit !== undefined; unit = reader.poll()) {
    out.push(unit.kind === "media" ? (unit.keyframe ? "K" : "f") : unit.kind);
  }
  return out;
}

describe("ChannelHub of MPEG-TS units", () => {
  it("starts a late reader on PAT, PMT and the cached GOP; ffprobe sees a keyframe first", async () => {
    const hub = tsHub();
    const units = split(h264);
    // Up to the middle of the fourth GOP.
    const start = keyframeTimes(units)[0] as number;
    const cut = units.findIndex((u) => u.kind === "media" && u.timestamp - start >= 1700);
    for (const unit of units.slice(0, cut)) hub.write(unit);
    const reader = hub.subscribe({ name: "late" });
    const stream = toTsStream(reader);
    for (const unit of units.slice(cut)) hub.write(unit);
    hub.end();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const path = join(tmpdir(), `streamwell-late-reader-${process.pid}.ts`);
    writeFileSync(path, Buffer.concat(chunks));
    const { stdout } = await execa("ffprobe", [
      ...["-v", "error", "-select_streams", "v", "-show_entries", "frame=key_frame", "-of", "csv=p=0", path],
    ]);
    const frames = stdout
      .trim()
      .split("\n")
      .map((line) => line.split(",")[0]);
    expect(frames[0]).toBe("1");
    expect(frames.length).toBe(90 - 45); // from the keyframe at 1.5 s to the end
  });

  it("gives a reader joining before any keyframe only the tables, then the next keyframe", () => {
    const hub = tsHub();
    const units = split(h264);
    const firstKey = units.findIndex((u) => u.kind === "media" && u.keyframe);
    const secondKey = units.findIndex((u, i) => i > firstKey && u.kind === "media" && u.keyframe);
    for (const unit of units.slice(0, firstKey + 3)) hub.write(unit);
    const reader = hub.subscribe();
    expect(kinds(reader)).toEqual(["pat", "pmt", "K", "f", "f"]);
    for (const unit of units.slice(firstKey + 3, secondKey + 1)) hub.write(unit);
    expect(kinds(reader).at(-1)).toBe("K");
  });

  it("drops the cached GOP when the PMT changes (another codec), keeps it for a repeated PMT", () => {
    const hub = tsHub();
    const units = split(h264);
    const firstKey = units.findIndex((u) => u.kind === "media" && u.keyframe);
    for (const unit of units.slice(0, firstKey + 3)) hub.write(unit);
    const pmt = units[1] as TsUnit & { kind: "pmt" };
    hub.write(pmt);
    expect(kinds(hub.subscribe())).toEqual(["pat", "pmt", "K", "f", "f"]);
    const section = Buffer.from(pmt.section);
    section[5] = (section[5] as number) ^ 0x02; // another version_number
    hub.write({ ...pmt, section });
    expect(kinds(hub.subscribe())).toEqual(["pat", "pmt"]);
  });
});
