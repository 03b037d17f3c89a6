// What a destination recorded, read with ffprobe and ffmpeg: video timestamps (to find steps back
// and gaps), the frame sizes, and whether it decodes without errors.
import { execa } from "execa";

const READ_TIMEOUT_MS = 60_000;

export interface VideoPacket {
  /** Milliseconds. */
  readonly dts: number;
  readonly width: number;
  readonly height: number;
}

/** Every video packet's decoding timestamp, in file order (milliseconds). */
export async function videoTimestamps(file: string): Promise<number[]> {
  const { stdout } = await execa(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts_time", "-of", "json", file],
    { timeout: READ_TIMEOUT_MS },
  );
  const packets = (JSON.parse(stdout) as { packets?: { dts_time?: string }[] }).packets ?? [];
  return packets.flatMap((packet) =>
    packet.dts_time === undefined ? [] : [Math.round(Number(packet.dts_time) * 1000)],
  );
}

/** The largest step back and the largest gap between consecutive video timestamps. */
export function timelineSteps(timestamps: readonly number[]): { mostBack: number; largestGap: number } {
  let mostBack = 0;
  let largestGap = 0;
  for (let i = 1; i < timestamps.length; i += 1) {
    const step = (timestamps[i] as number) - (timestamps[i - 1] as number);
    mostBack = Math.min(mostBack, step);
    largestGap = Math.max(largestGap, step);
  }
  return { mostBack, largestGap };
}

/** The decoded frame sizes as runs, e.g. ["1280x720", "640x360", "1280x720"]: one entry per change. */
export async function frameSizes(file: string): Promise<string[]> {
  const { stdout } = await execa(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=width,height", "-of", "json", file],
    { timeout: READ_TIMEOUT_MS },
  );
  const frames = (JSON.parse(stdout) as { frames?: { width?: number; height?: number }[] }).frames ?? [];
  const sizes = frames.map((frame) => `${frame.width}x${frame.height}`);
  return sizes.filter((size, i) => size !== sizes[i - 1]);
}

/** ffmpeg's error lines when decoding the whole file (`ffmpeg -v error -i FILE -f null -`). */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await execa("ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"], {
    timeout: READ_TIMEOUT_MS,
    reject: false,
  });
  return stderr.trim();
}
