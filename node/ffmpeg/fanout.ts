// A Remote Playback listener: the srt-fanout helper (./srt-fanout.c, built to dist/bin/srt-fanout
// by scripts/setup.mjs) run under the ffmpeg process wrapper, which gives it what every child gets
// (parent-death signal, PID file, its own process group, stop = SIGINT then SIGKILL, redacted
// stderr). The helper holds the SRT port and its callers; the actor feeds each caller its own
// MPEG-TS through the helper's stdin (./fanout-protocol.ts).
import { PassThrough } from "node:stream";
import type { PlaybackEvents, PlaybackServer, PlaybackSpec, RelayFailure } from "../defs/relay.js";
import type { ExitFacts } from "./exit.js";
import { frame, LineSplitter, parseEvent, passphraseFrame } from "./fanout-protocol.js";
import type { PidRegistry } from "./pidfile.js";
import { type FfmpegExit, startFfmpeg } from "./process.js";

/** dist/bin/srt-fanout, from the build (dist/node/ffmpeg/fanout.js) or the sources (tests). */
export const FANOUT_PATH = new URL(
  import.meta.url.includes("/dist/node/") ? "../../bin/srt-fanout" : "../../dist/bin/srt-fanout",
  import.meta.url,
).pathname;

export interface FanoutOptions {
  readonly bindHost: string;
  readonly pidRegistry?: PidRegistry;
  /** For tests; default FANOUT_PATH. */
  readonly helperPath?: string;
}

/** What a listener's exit means: none when we stopped it, else why it could not serve. */
export function classifyFanoutExit(exit: ExitFacts): RelayFailure | null {
  if (exit.stoppedByUs) return null;
  if (exit.stderrLines.some((line) => line.includes("bind failed"))) {
    return { code: "internal", message: "the Remote Playback port is in use by another program" };
  }
  const last = exit.stderrLines.at(-1) ?? `exit code ${exit.exitCode ?? exit.signal}`;
  return { code: "internal", message: `the Remote Playback listener ended: ${last}` };
}

function failureOf(exit: FfmpegExit<RelayFailure>): RelayFailure | null {
  if (exit.error) return { code: "internal", message: "the Remote Playback listener could not be started" };
  return exit.outcome;
}

export function startFanout(
  spec: PlaybackSpec,
  events: PlaybackEvents,
  options: FanoutOptions,
): PlaybackServer {
  const input = new PassThrough();
  input.on("drain", () => events.drain());
  input.write(passphraseFrame(spec.passphrase));
  const lines = new LineSplitter();
  const helper = startFfmpeg({
    args: [options.bindHost, String(spec.port), String(spec.maxCallers)],
    ffmpegPath: options.helperPath ?? FANOUT_PATH,
    input,
    secrets: [spec.passphrase],
    ...(options.pidRegistry && { pidRegistry: options.pidRegistry }),
    onStdout: (chunk) => {
      for (const line of lines.push(chunk)) {
        const event = parseEvent(line);
        if (event?.type === "listening") events.listening();
        else if (event?.type === "connected") events.connected(event.caller, event.address);
        else if (event?.type === "refused") events.refused(event.address);
        else if (event?.type === "left") events.left(event.caller, event.reason);
      }
    },
    onStderrLine: (line) => events.log(line.text),
    classify: classifyFanoutExit,
    onExit: (exit) => events.exit(failureOf(exit)),
  });
  return {
    send: (caller, bytes) => input.write(frame(caller, bytes)),
    hangUp: (caller) => void input.write(frame(caller, Buffer.alloc(0))),
    stop: async () => {
      await helper.stop();
    },
  };
}
