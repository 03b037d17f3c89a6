// Enhanced RTMP HEVC, built by the test from this machine's ffmpeg (veovera.org/docs/enhanced/
// enhanced-rtmp-v1, "ExVideoTagHeader"): libx265 writes a raw HEVC stream, cut here into access
// units; its VPS/SPS/PPS make the HEVC decoder configuration record (ISO/IEC 14496-15 8.3.3.1.2)
// of a SequenceStart tag, and each access unit becomes a CodedFrames tag (keyframes, with an SI24
// composition time of 0) or a CodedFramesX tag (the others) of 4-byte length-prefixed NAL units.
// The AAC tags come from an audio-only FLV. `publishTags` sends such tags in real time, looped;
// `publishEnhancedHevc` is a publisher of them on a node's RTMP ingest.
import { readFileSync } from "node:fs";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import { unescapeRbsp } from "../../node/ingest/rtmp/bit-reader.js";
import { aacFlvClip, rawHevcClip } from "./media.js";
import { readFlvTags, TestRtmpClient } from "./rtmp-client.js";

const FPS = 30;
const VPS = 32;
const SPS = 33;
const PPS = 34;

const nalType = (nal: Buffer): number => ((nal[0] as number) >> 1) & 0x3f;
const isVcl = (nal: Buffer): boolean => nalType(nal) <= 31;

/** The NAL units of an Annex B stream (start codes and trailing zero bytes removed). */
export function annexBUnits(stream: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let at = stream.indexOf(START3); at !== -1; at = stream.indexOf(START3, at + 3)) starts.push(at + 3);
  return starts.map((start, i) => {
    let end = i + 1 < starts.length ? (starts[i + 1] as number) - 3 : stream.length;
    while (end > start && stream[end - 1] === 0) end -= 1;
    return stream.subarray(start, end);
  });
}
const START3 = Buffer.from([0, 0, 1]);

/** Access units: a new one begins at a parameter set, SEI or AUD, or at a first slice, once the current has a slice. */
export function accessUnits(units: readonly Buffer[]): Buffer[][] {
  const out: Buffer[][] = [];
  let current: Buffer[] = [];
  for (const nal of units) {
    const type = nalType(nal);
    const firstSlice = isVcl(nal) && ((nal[2] as number) & 0x80) !== 0;
    const prefix = type >= 32 && type <= 39 && type !== 36 && type !== 37 && type !== 38;
    if ((firstSlice || prefix) && current.some(isVcl)) {
      out.push(current);
      current = [];
    }
    current.push(nal);
  }
  if (current.some(isVcl)) out.push(current);
  return out;
}

/** hvcC from one VPS, SPS and PPS: the profile, tier and level bytes are the SPS's own. */
export function hevcRecord(vps: Buffer, sps: Buffer, pps: Buffer): Buffer {
  const ptl = unescapeRbsp(sps.subarray(2)).subarray(1, 13); // general profile_tier_level: 12 bytes
  const head = Buffer.concat([
    Buffer.from([1]),
    ptl,
    Buffer.from([0xf0, 0x00, 0xfc, 0xfd, 0xf8, 0xf8, 0x00, 0x00, 0x0f, 3]),
  ]);
  const arrays = [vps, sps, pps].map((nal) => {
    const entry = Buffer.alloc(5);
    entry[0] = 0x80 | nalType(nal); // array_completeness
    entry.writeUInt16BE(1, 1);
    entry.writeUInt16BE(nal.length, 3);
    return Buffer.concat([entry, nal]);
  });
  return Buffer.concat([head, ...arrays]);
}

function lengthPrefixed(units: readonly Buffer[]): Buffer {
  return Buffer.concat(
    units.flatMap((nal) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(nal.length);
      return [length, nal];
    }),
  );
}

export interface EnhancedClip {
  readonly tags: readonly FlvTag[];
  readonly durationMs: number;
}

/** 3 s of 640x360 HEVC over Enhanced RTMP and AAC, as FLV tags in timestamp order. */
export async function enhancedHevcClip(): Promise<EnhancedClip> {
  const units = annexBUnits(readFileSync(await rawHevcClip()));
  const find = (type: number) => units.find((nal) => nalType(nal) === type) as Buffer;
  const record = hevcRecord(find(VPS), find(SPS), find(PPS));
  const video: FlvTag[] = [
    { type: 9, timestamp: 0, data: Buffer.concat([Buffer.from([0x90]), Buffer.from("hvc1"), record]) },
  ];
  accessUnits(units).forEach((au, i) => {
    const keyframe = au.some((nal) => nalType(nal) >= 16 && nalType(nal) <= 21);
    const header = keyframe
      ? Buffer.concat([Buffer.from([0x91]), Buffer.from("hvc1"), Buffer.from([0, 0, 0])])
      : Buffer.concat([Buffer.from([0xa3]), Buffer.from("hvc1")]);
    const timestamp = Math.round((i * 1000) / FPS);
    video.push({ type: 9, timestamp, data: Buffer.concat([header, lengthPrefixed(au)]) });
  });
  const audio = readFlvTags(readFileSync(await aacFlvClip())).filter((tag) => tag.type === 8);
  const tags = [...video, ...audio].sort((a, b) => a.timestamp - b.timestamp);
  const frames = video.length - 1;
  return { tags, durationMs: Math.round((frames * 1000) / FPS) };
}

/** Sends a clip's tags in real time, looped, until stopped; the configuration tags only once. */
export function publishTags(client: TestRtmpClient, streamId: number, clip: EnhancedClip): { stop(): void } {
  let stopped = false;
  const start = Date.now();
  const config = (tag: FlvTag) => tag.timestamp === 0 && (tag.data[0] === 0x90 || tag.data[1] === 0);
  void (async () => {
    for (let loop = 0; !stopped && !client.closed; loop += 1) {
      for (const tag of clip.tags) {
        if (stopped || client.closed) return;
        if (loop > 0 && config(tag)) continue;
        const timestamp = tag.timestamp + loop * clip.durationMs;
        const wait = start + timestamp - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        client.sendTag({ ...tag, timestamp }, streamId);
      }
    }
  })();
  return {
    stop() {
      stopped = true;
    },
  };
}

/** Publishes the Enhanced RTMP HEVC + AAC clip to rtmp://127.0.0.1:port/live/<streamKey>, looped in real time, until stopped. */
export async function publishEnhancedHevc(port: number, streamKey: string): Promise<{ stop(): void }> {
  const clip = await enhancedHevcClip();
  const client = await TestRtmpClient.connect(port);
  const { code, streamId } = await client.publish("live", streamKey);
  if (code !== "NetStream.Publish.Start") {
    client.close();
    throw new Error(`the Enhanced RTMP publish was refused: ${code}`);
  }
  const sender = publishTags(client, streamId, clip);
  return {
    stop() {
      sender.stop();
      client.close();
    },
  };
}
