// What ffmpeg's SRT listener says about its caller's streams, from the "Input #0" section it logs
// after probing (before it writes any output):
//   Stream #0:0[0x100]: Video: hevc (Main) (HEVC / 0x43564548), yuv420p(tv), 640x360 [SAR 1:1 DAR 16:9], 30 fps, ...
//   Stream #0:1[0x101]: Audio: aac (LC) ([15][0][0][0] / 0x000F), 48000 Hz, stereo, fltp, 130 kb/s
// ffmpeg has parsed the SPS (H.264 and HEVC) and the ADTS headers by then, so these lines give the
// picture size, profile, sample rate and channels without a second parser here. Pure; fed every
// stderr line, it keeps the first video and the first audio stream of the input (the ones mapped).

export interface VideoInfo {
  readonly codec: string;
  readonly profile: string | null;
  readonly width: number | null;
  readonly height: number | null;
}

export interface AudioInfo {
  readonly codec: string;
  readonly sampleRate: number | null;
  readonly channels: number | null;
}

const STREAM =
  /Stream #0:\d+(?:\[0x[0-9a-f]+\])?(?:\([^)]*\))?: (Video|Audio): ([a-z0-9_]+)(?: \(([^)[]*)\))?(.*)$/;
const LAYOUTS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  "2.1": 3,
  quad: 4,
  "5.0": 5,
  "5.1": 6,
  "7.1": 8,
};

export class StreamInfo {
  private section: "before" | "input" | "after" = "before";
  private videoInfo: VideoInfo | null = null;
  private audioInfo: AudioInfo | null = null;

  get video(): VideoInfo | null {
    return this.videoInfo;
  }

  get audio(): AudioInfo | null {
    return this.audioInfo;
  }

  line(text: string): void {
    if (/\bInput #0\b/.test(text)) this.section = "input";
    else if (/\bOutput #0\b/.test(text)) this.section = "after";
    if (this.section !== "input") return;
    const match = STREAM.exec(text);
    if (!match) return;
    const [, kind, codec = "", profile, rest = ""] = match;
    if (kind === "Video" && this.videoInfo === null) {
      const size = /, (\d+)x(\d+)\b/.exec(rest);
      this.videoInfo = {
        codec,
        profile: profile ?? null,
        width: size ? Number(size[1]) : null,
        height: size ? Number(size[2]) : null,
      };
    } else if (kind === "Audio" && this.audioInfo === null) {
      const rate = /, (\d+) Hz\b/.exec(rest);
      const layout = /Hz, ([^,]+)/.exec(rest)?.[1]?.trim() ?? "";
      const counted = /^(\d+) channels/.exec(layout);
      this.audioInfo = {
        codec,
        sampleRate: rate ? Number(rate[1]) : null,
        channels: counted ? Number(counted[1]) : (LAYOUTS[layout.replace(/\(.*\)$/, "")] ?? null),
      };
    }
  }
}
