// Enhanced RTMP HEVC (+ AAC) tags remuxed to MPEG-TS for ffmpeg, checked by this machine's
// ffprobe and ffmpeg: the tags are built from libx265's output (test/support/enhanced-rtmp.ts);
// the HEVC configuration record parses to what ffprobe says of the same stream.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import { inspectVideo } from "../../node/ingest/rtmp/codecs.js";
import { isKeyframe, isSequenceHeader } from "../../node/media/flv.js";
import { FlvToTs, ffmpegReadsFlv, tsTracksOf } from "../../node/media/flv-to-ts.js";
import { packetHeader, TS_PACKET } from "../../node/media/mpegts.js";
import { crc32Mpeg } from "../../node/media/ts-mux.js";
import { type EnhancedClip, enhancedHevcClip } from "../support/enhanced-rtmp.js";
import { rawHevcClip } from "../support/media.js";

let clip: EnhancedClip;
const dir = mkdtempSync(join(tmpdir(), "flv-to-ts-"));

beforeAll(async () => {
  clip = await enhancedHevcClip();
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function remux(tags: readonly FlvTag[]): Buffer {
  const converter = new FlvToTs(tsTracksOf({ video: "hevc", audio: "aac" }));
  return Buffer.concat(tags.flatMap((tag) => converter.push(tag) ?? []));
}

async function probe(ts: Buffer) {
  const file = join(dir, `${Date.now()}-${Math.random()}.ts`);
  writeFileSync(file, ts);
  const { stdout } = await execa(
    "ffprobe",
    ["-v", "error", "-count_frames", "-show_streams", "-of", "json", file],
    { timeout: 60_000 },
  );
  const decoded = await execa("ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"], { timeout: 60_000 });
  const streams = JSON.parse(stdout).streams as Array<Record<string, unknown>>;
  return { streams, errors: decoded.stderr };
}

const videoFrames = () => clip.tags.filter((tag) => tag.type === 9 && !isSequenceHeader(tag)).length;

describe("the HEVC SequenceStart", () => {
  it("parses to what ffprobe reads from the same stream", async () => {
    const { stdout } = await execa("ffprobe", [
      "-v",
      "error",
      "-show_streams",
      "-of",
      "json",
      await rawHevcClip(),
    ]);
    const expected = JSON.parse(stdout).streams[0] as { profile: string; level: number };
    const header = clip.tags.find((tag) => tag.type === 9 && isSequenceHeader(tag)) as FlvTag;
    const level = expected.level % 30 === 0 ? String(expected.level / 30) : (expected.level / 30).toFixed(1);
    expect(inspectVideo(header.data)).toEqual({
      kind: "config",
      track: { codec: "hevc", width: 640, height: 360, profile: expected.profile, level },
    });
  });

  it("marks the tags: keyframes every 30 frames, one sequence header", () => {
    const video = clip.tags.filter((tag) => tag.type === 9);
    expect(video.filter(isSequenceHeader)).toHaveLength(1);
    expect(video.filter(isKeyframe).length).toBe(Math.ceil(videoFrames() / 30));
    expect(ffmpegReadsFlv({ video: "hevc" })).toBe(false);
    expect(ffmpegReadsFlv({ video: "h264" })).toBe(true);
  });
});

describe("FlvToTs", () => {
  it("writes 188-byte packets with continuous counters per PID", () => {
    const ts = remux(clip.tags);
    expect(ts.length % TS_PACKET).toBe(0);
    const counters = new Map<number, number>();
    for (let at = 0; at < ts.length; at += TS_PACKET) {
      const packet = ts.subarray(at, at + TS_PACKET);
      expect(packet[0]).toBe(0x47);
      const { pid } = packetHeader(packet) ?? { pid: -1 };
      const counter = (packet[3] as number) & 0x0f;
      const last = counters.get(pid);
      if (last !== undefined) expect(counter).toBe((last + 1) & 0x0f);
      counters.set(pid, counter);
    }
    expect([...counters.keys()].sort()).toEqual([0, 0x100, 0x101, 0x1000]);
  });

  it("is read by ffmpeg as HEVC 640x360 + AAC, every frame decoded without an error", async () => {
    const { streams, errors } = await probe(remux(clip.tags));
    const video = streams.find((s) => s.codec_type === "video");
    const audio = streams.find((s) => s.codec_type === "audio");
    expect(video).toMatchObject({ codec_name: "hevc", width: 640, height: 360 });
    expect(Number(video?.nb_read_frames)).toBe(videoFrames());
    expect(audio).toMatchObject({ codec_name: "aac", sample_rate: "48000", channels: 2 });
    expect(errors).toBe("");
  }, 60_000);

  it("lets a reader start at a later keyframe (parameter sets in band)", async () => {
    const keyframes = clip.tags.filter(isKeyframe);
    const second = clip.tags.indexOf(keyframes[1] as FlvTag);
    const tags = [...clip.tags.filter(isSequenceHeader), ...clip.tags.slice(second)];
    const { streams, errors } = await probe(remux(tags));
    expect(streams.find((s) => s.codec_type === "video")).toMatchObject({ codec_name: "hevc", width: 640 });
    expect(errors).toBe("");
  }, 60_000);

  it("checks PSI sections with CRC-32/MPEG-2", () => {
    expect(crc32Mpeg(Buffer.from("123456789"))).toBe(0x0376e6e7);
  });
});
