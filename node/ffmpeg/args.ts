// The ffmpeg command line of a relay: channel bytes on stdin, copied (never re-encoded) to one
// destination. Pure, so every option can be unit-tested; each was checked against this machine's
// ffmpeg 5.1 (`ffmpeg -h protocol=rtmp|srt|tls`) and test/fixtures/ffmpeg/capture.sh.
//
// No user string is ever spliced into a URL or an option string. Measured on ffmpeg 5.1:
// - RTMP: the path after the app is NOT percent-decoded and a trailing ".flv" is stripped (".mp4"
//   gains an "mp4:" prefix), so a key in the URL would reach the server altered. The key goes
//   verbatim in its own argv element (-rtmp_playpath), the app in -rtmp_app; the URL names host and app.
// - SRT: `passphrase` in the URL query is NOT percent-decoded (a '&' would even start a new option),
//   and query values are cut at 255 bytes, so passphrase and stream id go in their own argv elements
//   (-passphrase, -srt_streamid: plain "-streamid" is ffmpeg's own output option). Only numbers we
//   produce go in the query.
import { SYSTEM_CA_FILE } from "../kit/ca-file.js";

export { SYSTEM_CA_FILE };

import type { ChannelCodecs } from "../defs/codecs.js";
import type { Container } from "../defs/container.js";
import type { DestinationTarget, RtmpTarget, SrtTarget } from "../defs/destination.js";
import { formatDestinationUrl } from "../urls/destination-url.js";
import { RelayArgsError } from "./errors.js";
import { type ScriptedInput, scriptedInput } from "./input-script.js";

/** The fd that startFfmpeg opens for -progress (0-2 are stdio). */
export const PROGRESS_FD = 3;
export const DEFAULT_RW_TIMEOUT_US = 5_000_000;
const DEFAULT_SRT_CONNECT_TIMEOUT_MS = 3_000;
/** 7 TS packets: the SRT payload size every receiver expects for MPEG-TS. */
export const SRT_TS_PAYLOAD = 1316;
const MAX_STREAM_KEY_LENGTH = 1024;

export interface RelayArgsOptions {
  readonly target: DestinationTarget;
  /** Required for RTMP/RTMPS; sent verbatim as the publish name. Ignored for SRT. */
  readonly streamKey?: string | null;
  /** RTMPS only: skip certificate verification (a destination saved with insecureSkipVerify). */
  readonly insecureSkipVerify?: boolean;
  readonly progressFd: number;
  /** What the hub feeds on stdin: FLV from RTMP ingest (default), MPEG-TS from SRT ingest. */
  readonly inputFormat?: Container;
  /** The channel's codecs: how much of the input ffmpeg probes (inputArgs). */
  readonly codecs?: ChannelCodecs;
  /** What an SRT target gets: MPEG-TS (default), or FLV on a chain link (see ChainRecord). */
  readonly srtContainer?: Container;
  /** Network I/O timeout in microseconds (connect, TLS handshake, a stalled write). */
  readonly rwTimeoutUs?: number;
  readonly srtConnectTimeoutMs?: number;
  readonly caFile?: string;
}

export function relayArgs(options: RelayArgsOptions): string[] {
  // Re-parses a hand-built target and throws InvalidUrlError if it is not a valid destination.
  formatDestinationUrl(options.target);
  const rwTimeoutUs = positiveInteger(options.rwTimeoutUs ?? DEFAULT_RW_TIMEOUT_US, "rwTimeoutUs");
  return [
    ...globalArgs(options.progressFd),
    ...inputArgs(options.inputFormat ?? "flv", options.codecs),
    // First video and first audio only: FLV carries one of each, and a data stream from an SRT
    // ingest (e.g. SCTE-35) would make the FLV muxer fail.
    ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy"],
    ...(options.target.kind === "srt"
      ? srtOutput(options.target, options.srtContainer ?? "mpegts", rwTimeoutUs, options.srtConnectTimeoutMs)
      : rtmpOutput(options.target, options, rwTimeoutUs)),
  ];
}

export function globalArgs(progressFd: number): string[] {
  if (!Number.isInteger(progressFd) || progressFd < 3) {
    throw new RelayArgsError("progressFd must be an integer of 3 or more (0-2 are stdio)");
  }
  // level+info: every line carries "[error]"/"[warning]"/"[info]", which stderr.ts uses to find the
  // last error; info also logs "Output #0 ... to", which tells the classifier the output was opened.
  // No -nostdin: stdin is our input, and ffmpeg never reads keys from a pipe input anyway.
  return ["-hide_banner", "-loglevel", "level+info", "-nostats", "-progress", `pipe:${progressFd}`];
}

export function inputArgs(format: Container, codecs?: ChannelCodecs): string[] {
  return [...probeArgs(format, codecs), "-f", format, "-i", "pipe:0"];
}

/** FLV tracks whose sequence header comes first in a hub reader's bytes: H.264 and AAC. */
const HEADED = new Set<string | null>(["h264", "aac", null]);

function probeArgs(format: Container, codecs: ChannelCodecs | undefined): string[] {
  // FLV from the hub starts with the sequence headers, so a 32-byte probe is enough and saves ~1.2 s
  // (FFMPEG-NOTES). A track with no sequence header (MP3, Speex, ...) shows only with its first frame,
  // after the keyframe: measured with an H.264 720p + MP3 FLV, ffprobe found the MP3 with a 100 kB
  // probe, not with 5 kB. MPEG-TS needs more too: with a 32-byte probe ffmpeg 5.1 fails "sample rate not set".
  const headed = codecs === undefined || (HEADED.has(codecs.video) && HEADED.has(codecs.audio));
  return format === "flv" && headed
    ? ["-probesize", "32", "-analyzeduration", "0"]
    : ["-probesize", "1000000", "-analyzeduration", "1000000"];
}

function rtmpOutput(target: RtmpTarget, options: RelayArgsOptions, rwTimeoutUs: number): string[] {
  const key = checkStreamKey(options.streamKey);
  const tls =
    target.kind === "rtmps" && options.insecureSkipVerify !== true
      ? ["-tls_verify", "1", "-ca_file", options.caFile ?? SYSTEM_CA_FILE]
      : [];
  return [
    ...["-f", "flv", "-flvflags", "no_duration_filesize", "-rw_timeout", String(rwTimeoutUs)],
    ...["-rtmp_app", target.app, "-rtmp_playpath", key, ...tls],
    `${target.kind}://${hostForUrl(target.host)}:${target.port}/${target.app}`,
  ];
}

function srtOutput(
  target: SrtTarget,
  container: Container,
  rwTimeoutUs: number,
  connectTimeoutMs?: number,
): string[] {
  const query = [
    "mode=caller",
    `pkt_size=${SRT_TS_PAYLOAD}`,
    `connect_timeout=${positiveInteger(connectTimeoutMs ?? DEFAULT_SRT_CONNECT_TIMEOUT_MS, "srtConnectTimeoutMs")}`,
  ];
  // Destinations give milliseconds (as devices do); ffmpeg's latency option is in microseconds.
  if (target.latencyMs !== undefined) query.push(`latency=${target.latencyMs * 1000}`);
  if (target.pbkeylen !== undefined) query.push(`pbkeylen=${target.pbkeylen}`);
  const secretOptions = [
    ...(target.passphrase !== undefined ? ["-passphrase", target.passphrase] : []),
    ...(target.streamid !== undefined ? ["-srt_streamid", target.streamid] : []),
  ];
  return [
    ...muxerArgs(container),
    ...["-rw_timeout", String(rwTimeoutUs), ...secretOptions],
    `srt://${hostForUrl(target.host)}:${target.port}?${query.join("&")}`,
  ];
}

/** The muxer of an SRT output or stdout: FLV on a pipe or socket cannot seek back to fill in its header. */
export function muxerArgs(container: Container): string[] {
  return container === "flv" ? ["-f", "flv", "-flvflags", "no_duration_filesize"] : ["-f", "mpegts"];
}

export interface SrtIngestArgsOptions {
  readonly bindHost: string;
  readonly port: number;
  /** What the caller sends: MPEG-TS (SRT ingest), FLV or MPEG-TS (a chain link). */
  readonly container: Container;
  /** What stdout gets, when not the caller's container: FLV for an SRT ingest with a backup input. */
  readonly output?: Container;
  /** The channel's SRT passphrase (10-79 characters, as libsrt requires). */
  readonly passphrase: string;
  /** A caller that stops sending is dropped after this long (microseconds; not the wait for a caller). */
  readonly rwTimeoutUs?: number;
}

/**
 * An SRT ingest listener: accepts one caller (libsrt refuses a wrong passphrase in its handshake and
 * keeps waiting), copies its first video and first audio stream to stdout (in the same container,
 * unless `output` says another: MPEG-TS remuxed to FLV, no re-encoding), and
 * exits when the caller leaves. The passphrase and the listener's options go in an input script on a
 * pipe (input-script.ts), never on the command line.
 */
export function srtIngestCommand(options: SrtIngestArgsOptions): ScriptedInput {
  const rwTimeoutUs = positiveInteger(options.rwTimeoutUs ?? DEFAULT_RW_TIMEOUT_US, "rwTimeoutUs");
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
    throw new RelayArgsError("the SRT ingest port must be 1-65535");
  }
  // MPEG-TS: ffmpeg's default 5 s of probing made a caller wait ~6 s to go live; 1 s: ~1.9 s. A caller
  // whose first keyframe comes later still streams, only its picture size is not known (null) for that
  // session. FLV (a chain link) starts with its sequence headers, as the hub's does. Both the SRT
  // input (script) and the concat demuxer around it (argv) probe, so both get the limits.
  const probe = probeArgs(options.container, undefined);
  const input = scriptedInput(`srt://${hostForUrl(options.bindHost)}:${options.port}?mode=listener`, "srt", {
    passphrase: checkPassphrase(options.passphrase),
    rw_timeout: String(rwTimeoutUs),
    probesize: probe[1] as string,
    analyzeduration: probe[3] as string,
  });
  return {
    args: [
      ...["-hide_banner", "-loglevel", "level+info", "-nostats", "-nostdin"],
      ...probe,
      ...input.args,
      ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy"],
      ...muxerArgs(options.output ?? options.container),
      "pipe:1",
    ],
    script: input.script,
  };
}

function checkPassphrase(passphrase: string): string {
  if (passphrase.length < 10 || passphrase.length > 79 || /[\p{Cc}\p{Cf}]/u.test(passphrase)) {
    throw new RelayArgsError("an SRT passphrase has 10-79 printable characters");
  }
  return passphrase;
}

function checkStreamKey(key: string | null | undefined): string {
  if (typeof key !== "string" || key === "")
    throw new RelayArgsError("an RTMP destination needs a stream key");
  if (key.length > MAX_STREAM_KEY_LENGTH) {
    throw new RelayArgsError(`the stream key is longer than ${MAX_STREAM_KEY_LENGTH} characters`);
  }
  if (/[\p{Cc}\p{Cf}]/u.test(key)) throw new RelayArgsError("the stream key contains control characters");
  return key;
}

export function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RelayArgsError(`${name} must be a positive integer`);
  return value;
}

export function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
