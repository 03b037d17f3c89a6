// What a channel's slate costs (issue 15): the CPU ffmpeg spends making one clip (the bench clip's
// signature, the default card), measured as the children's user+sys time by bash's `times`, and
// the clip's size (what a hold keeps in memory); and a node's CPU and memory while its restream
// holds with the slate, against the same node streaming live (UsageSampler over the node and its
// children).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { slateClipArgs } from "../../node/slate/clip-args.js";
import type { SlateSignature } from "../../node/slate/signature.js";
import { descendants, type Usage, UsageSampler } from "./proc-stats.js";
import { sleep } from "./wait.js";

/** The bench clip's signature: 1280x720 30 fps H.264 High, AAC 48 kHz stereo. */
export const BENCH_SIGNATURE: SlateSignature = {
  video: "h264",
  profile: "high",
  level: "3.1",
  width: 1280,
  height: 720,
  fps: 30,
  audio: { sampleRate: 48_000, channels: 2 },
};

export interface ClipCost {
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly clipBytes: number;
}

/** Makes one clip as a node does and returns what it took. */
export function clipCost(signature: SlateSignature = BENCH_SIGNATURE): ClipCost {
  const dir = mkdtempSync(join(tmpdir(), "streamwell-bench-slate-"));
  try {
    const titleFile = join(dir, "title.txt");
    writeFileSync(titleFile, "Bench channel");
    const output = join(dir, "clip.flv");
    const args = slateClipArgs(signature, { picture: null, titleFile }, { file: output, muxer: "flv" });
    const quoted = ["ffmpeg", ...args].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(" ");
    const started = performance.now();
    // `times` prints the shell's own and then its children's user and system time: "0m1.234s 0m0.056s".
    const out = execFileSync("bash", ["-c", `${quoted} && times`], { encoding: "utf8", timeout: 300_000 });
    const wallSeconds = (performance.now() - started) / 1000;
    const children = out.trim().split("\n").at(-1) ?? "";
    const cpuSeconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
      (sum, [, minutes, seconds]) => sum + Number(minutes) * 60 + Number(seconds),
      0,
    );
    return { cpuSeconds, wallSeconds, clipBytes: statSync(output).size };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The node's and its children's CPU and memory over `ms`. */
export async function nodeUsage(pid: number, ms: number): Promise<Usage> {
  const sampler = new UsageSampler(() => [pid, ...descendants(pid)], 500);
  await sleep(ms);
  return sampler.stop();
}
