// Parser for `-progress pipe:N` output: blocks of key=value lines, each closed by
// `progress=continue` (or `progress=end` once, at the close), about every 0.5 s. Fed arbitrary chunks
// (a pipe splits anywhere), it returns each finished block. Pure; the process wrapper feeds it and the
// actor's stall watchdog uses the arrival time of blocks.

export interface ProgressStats {
  readonly frame: number | null;
  readonly fps: number | null;
  /** Output bitrate; ffmpeg reports kbit/s (1000 bit). */
  readonly bitrateBps: number | null;
  readonly totalSizeBytes: number | null;
  readonly outTimeUs: number | null;
  /** Multiple of real time (1 = real time); null while ffmpeg prints N/A. */
  readonly speed: number | null;
  readonly dropFrames: number | null;
  readonly dupFrames: number | null;
  /** True for the last block (`progress=end`). */
  readonly end: boolean;
}

// A line longer than this is not progress output; drop it rather than buffer without bound.
const MAX_LINE = 4096;

export class ProgressParser {
  private pending = "";
  private fields = new Map<string, string>();

  push(chunk: string): ProgressStats[] {
    const blocks: ProgressStats[] = [];
    const lines = (this.pending + chunk).split("\n");
    this.pending = lines.pop() ?? "";
    if (this.pending.length > MAX_LINE) this.pending = "";
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf("=");
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).trim();
      if (key !== "progress") {
        this.fields.set(key, value);
        continue;
      }
      blocks.push(toStats(this.fields, value === "end"));
      this.fields = new Map();
    }
    return blocks;
  }
}

export function toStats(fields: ReadonlyMap<string, string>, end: boolean): ProgressStats {
  return {
    frame: integer(fields.get("frame")),
    fps: decimal(fields.get("fps")),
    bitrateBps: bitrate(fields.get("bitrate")),
    totalSizeBytes: integer(fields.get("total_size")),
    // out_time_ms is microseconds too (an old ffmpeg mislabel); prefer the honest name.
    outTimeUs: integer(fields.get("out_time_us") ?? fields.get("out_time_ms")),
    speed: multiplier(fields.get("speed")),
    dropFrames: integer(fields.get("drop_frames")),
    dupFrames: integer(fields.get("dup_frames")),
    end,
  };
}

function integer(value: string | undefined): number | null {
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : null;
}

function decimal(value: string | undefined): number | null {
  return value !== undefined && /^-?\d+(?:\.\d+)?$/.test(value) ? Number(value) : null;
}

// "2789.6kbits/s" or "N/A"
function bitrate(value: string | undefined): number | null {
  const match = value === undefined ? null : /^(\d+(?:\.\d+)?)kbits\/s$/.exec(value);
  return match ? Math.round(Number(match[1]) * 1000) : null;
}

// "2.35x", " 558x" (padded), or "N/A"
function multiplier(value: string | undefined): number | null {
  const match = value === undefined ? null : /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)x$/.exec(value.trim());
  return match ? Number(match[1]) : null;
}
