// The ffmpeg command line of a Remote Playback listener: the channel's FLV on stdin (a primed stream,
// node/hub/primed-stream.ts), copied into MPEG-TS for one SRT caller. Pure; checked against this
// machine's ffmpeg 5.1 (docs/decisions.md, "Remote Playback: priming").
//
// - The passphrase goes in its own argv element, never in the URL: ffmpeg echoes the URL in its
//   log lines, and does not percent-decode query values.
// - `-ss` as an output option makes a stream copy drop the packets stamped before it, until the first
//   one it writes: that drops the primer's stale keyframe and nothing after it.
// - No listen_timeout: the listener waits in its accept for as long as the channel is live.

import type { Container } from "../defs/container.js";
import { PRIMER_CUTOFF_SECONDS } from "../hub/primed-stream.js";
import {
  DEFAULT_RW_TIMEOUT_US,
  globalArgs,
  hostForUrl,
  inputArgs,
  positiveInteger,
  SRT_TS_PAYLOAD,
} from "./args.js";
import { RelayArgsError } from "./errors.js";

export interface PlaybackArgsOptions {
  /** The address the listener binds (the node's bindHost). */
  readonly bindHost: string;
  readonly port: number;
  readonly passphrase: string;
  readonly progressFd: number;
  /** What the primed stream on stdin is: FLV (RTMP ingest) or MPEG-TS (SRT ingest). */
  readonly inputFormat: Container;
  /** A write to a caller that stalls this long (microseconds) ends the session. */
  readonly rwTimeoutUs?: number;
}

/** What libsrt accepts (10 to 79 bytes) within what ffmpeg's option allows (up to 64), printable ASCII. */
const PASSPHRASE = /^[\x21-\x7e]{10,64}$/;

export function playbackArgs(options: PlaybackArgsOptions): string[] {
  const port = positiveInteger(options.port, "port");
  if (port > 65_535) throw new RelayArgsError("port must be at most 65535");
  if (!PASSPHRASE.test(options.passphrase)) {
    throw new RelayArgsError("the passphrase must be 10 to 64 printable ASCII characters");
  }
  const rwTimeoutUs = positiveInteger(options.rwTimeoutUs ?? DEFAULT_RW_TIMEOUT_US, "rwTimeoutUs");
  return [
    ...globalArgs(options.progressFd),
    ...inputArgs(options.inputFormat),
    ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-ss", String(PRIMER_CUTOFF_SECONDS)],
    ...["-f", "mpegts", "-rw_timeout", String(rwTimeoutUs), "-passphrase", options.passphrase],
    `srt://${hostForUrl(options.bindHost)}:${port}?mode=listener&pkt_size=${SRT_TS_PAYLOAD}`,
  ];
}
