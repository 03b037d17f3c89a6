// SRT on loopback for tests: free UDP ports, and receiving listeners (ffprobe or ffmpeg) that a
// restream calls. Every process is bounded in time and stopped by PID.
import { createSocket } from "node:dgram";
import { execa } from "execa";
import { ffmpegProcess, type MediaProcess, type ProbedStream } from "./media.js";

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => resolve(false));
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

/** `count` consecutive UDP ports that were free a moment ago, as STREAMWELL_SRT_PORTS wants them. */
export async function freeUdpPorts(count: number): Promise<{ from: number; to: number; env: string }> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const from = 20_000 + Math.floor(Math.random() * 40_000);
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => udpFree(from + i)));
    if (checks.every(Boolean)) return { from, to: from + count - 1, env: `${from}-${from + count - 1}` };
  }
  throw new Error("no free UDP port range");
}

/** One free UDP port. */
export async function freeUdpPort(): Promise<number> {
  return (await freeUdpPorts(1)).from;
}

/** Listens once on srt://127.0.0.1:port and reports the streams of the first caller. */
export async function probeSrtListener(
  port: number,
  timeoutMs = 30_000,
  passphrase?: string,
): Promise<ProbedStream[]> {
  const secret = passphrase === undefined ? [] : ["-passphrase", passphrase];
  const { stdout } = await execa(
    "ffprobe",
    ["-v", "error", ...secret, "-show_streams", "-of", "json", `srt://127.0.0.1:${port}?mode=listener`],
    { timeout: timeoutMs },
  );
  const streams = (JSON.parse(stdout) as { streams?: ProbedStream[] }).streams ?? [];
  return streams.map(({ codec_type, codec_name }) => ({ codec_type, codec_name }));
}

/** A long-running SRT listener that takes a caller's stream and discards it (a destination to kill and bring back). */
export function srtSink(port: number): MediaProcess {
  return ffmpegProcess(["-i", `srt://127.0.0.1:${port}?mode=listener`, "-c", "copy", "-f", "null", "-"]);
}
