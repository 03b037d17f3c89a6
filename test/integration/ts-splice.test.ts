// TsSplice on real encoder output, without a node: what a slate hold writes for an HEVC channel
// over SRT. The live stream is x265's default (open GOPs: a CRA keyframe every second whose RASL
// pictures refer to the GOP before it, B-frames); the slate is the clip SlateStore makes for its
// signature. Live from its start, the slate twice, then live again cut in at a CRA (a caller back
// in mid-stream): the spliced MPEG-TS must decode without an error and its video timestamps never
// go back nor jump by a second.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import type { TsUnit } from "../../node/defs/ts-unit.js";
import { TsSplice } from "../../node/media/ts-splice.js";
import { TsSplitter } from "../../node/media/ts-splitter.js";
import { TS_HOLD } from "../../node/slate/hold-units.js";
import { SlateStore, TS_CLIP } from "../../node/slate/slate-store.js";
import { hevcClip } from "../support/media.js";
import { decodeErrors, timelineSteps, videoTimestamps } from "../support/recording.js";

const work = mkdtempSync(join(tmpdir(), "streamwell-ts-splice-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

type Media = Extract<TsUnit, { kind: "media" }>;

async function decodedFrames(file: string): Promise<number> {
  // biome-ignore format: one ffprobe command
  const { stdout } = await execa("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file], { timeout: 60_000 });
  return Number(stdout.trim().split("\n")[0]); // the stream is listed under its program too
}

describe("TsSplice with HEVC", () => {
  it("live, slate, live again from a CRA: decodes clean, timestamps never go back", async () => {
    const splitter = new TsSplitter();
    const live = [...splitter.push(readFileSync(await hevcClip())), ...splitter.end()];
    const init = live.filter((unit) => unit.kind !== "media").slice(0, 2);
    const media = live.filter((unit): unit is Media => unit.kind === "media");
    const keyframes = media.flatMap((unit, i) => (unit.keyframe ? [i] : []));
    expect(keyframes.length).toBeGreaterThanOrEqual(3); // 0 s (IDR), 1 s and 2 s (CRA)
    const signature = {
      video: "hevc",
      profile: "main",
      level: null,
      width: 640,
      height: 360,
      fps: 30,
      audio: { sampleRate: 48_000, channels: 2 },
    } as const;
    const slate = await new SlateStore(work, async () => "Splice").clip("channel", signature, TS_CLIP);

    const out: Buffer[] = [];
    const splice = new TsSplice((unit) => out.push(unit.bytes));
    splice.cut(init, media.slice(0, keyframes[2]));
    splice.cut(slate.init, slate.media);
    for (const unit of slate.media) splice.pass(TS_HOLD.later(unit, slate.periodMs));
    splice.cut(init, media.slice(keyframes[1]));
    const file = join(work, "spliced.ts");
    writeFileSync(file, Buffer.concat(out));

    expect(await decodeErrors(file)).toBe("");
    const { mostBack, largestGap } = timelineSteps(await videoTimestamps(file));
    expect(mostBack).toBe(0);
    expect(largestGap).toBeLessThan(1_000);
    // Only the cut-in CRA's leading pictures (RASL, at most a GOP's B-frames) are left out.
    const frames = (keyframes[2] as number) + 2 * slate.media.filter(TS_HOLD.format.isVideoFrame).length;
    const back = media.length - (keyframes[1] as number);
    const decoded = await decodedFrames(file);
    console.log(`spliced HEVC: ${decoded} frames decoded of ${frames + back} spliced`);
    expect(decoded).toBeGreaterThan(frames + back - 8);
  }, 60_000);
});
