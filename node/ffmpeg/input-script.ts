// An input that ffmpeg opens with options it reads from a pipe instead of its command line:
// `-f concat -i pipe:4` and an ffconcat script of one `file` with `option` lines (ffmpeg 5.1's
// concat demuxer passes them to that file's avformat_open_input: protocol options such as an SRT
// passphrase and format options such as probesize). The command line, which any local user reads
// in /proc/<pid>/cmdline, then holds no secret. Outputs have no such way in ffmpeg 5.1 (see
// docs/security.md). Measured: a wrong passphrase given this way is refused by libsrt ("Incorrect
// passphrase"), the right one streams, and the Input #0 stream lines keep their shape.
import { RelayArgsError } from "./errors.js";

/** The fd that startFfmpeg writes an input script to (0-2 stdio, 3 -progress). */
export const SCRIPT_FD = 4;

export interface ScriptedInput {
  /** The demuxer arguments, up to and including `-i pipe:4`. */
  readonly args: string[];
  /** The ffconcat script to write to SCRIPT_FD (holds secrets: never log it). */
  readonly script: string;
}

/**
 * `url` opened with `options` (name -> value). auto_convert off: the concat demuxer would otherwise
 * put H.264 from FLV through h264_mp4toannexb. Only the pipe and the URL's protocol are allowed.
 */
export function scriptedInput(
  url: string,
  protocol: string,
  options: Readonly<Record<string, string>>,
): ScriptedInput {
  const lines = ["ffconcat version 1.0", `file ${quote(url)}`];
  for (const [name, value] of Object.entries(options)) {
    if (!/^[a-z_]+$/.test(name)) throw new RelayArgsError(`bad ffmpeg option name for an input script`);
    lines.push(`option ${name} ${quote(value)}`);
  }
  return {
    args: [
      ...["-f", "concat", "-safe", "0", "-auto_convert", "0"],
      ...["-protocol_whitelist", `pipe,${protocol}`, "-i", `pipe:${SCRIPT_FD}`],
    ],
    script: `${lines.join("\n")}\n`,
  };
}

/** ffconcat tokens (av_get_token): literal inside single quotes; a quote is closed, escaped, reopened. */
function quote(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new RelayArgsError("an input script value cannot hold a line break");
  return `'${value.replaceAll("'", "'\\''")}'`;
}
