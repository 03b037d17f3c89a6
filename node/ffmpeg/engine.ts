// The ffmpeg restream engine: one supervised `ffmpeg -c copy` relay per running restream, fed
// the channel hub's bytes (FLV or MPEG-TS) on stdin. It adapts node/ffmpeg's process wrapper to the actor's
// RelayEngine contract (node/actors/relay.ts).
import type {
  RelayEngine,
  RelayEvents,
  RelayFailure,
  RelayHandle,
  RelayInput,
  RelaySpec,
} from "../actors/relay.js";
import type { Logger } from "../log.js";
import { formatDestinationUrl } from "../urls/destination-url.js";
import { PROGRESS_FD, relayArgs } from "./args.js";
import { PidFile } from "./pidfile.js";
import { type FfmpegExit, startFfmpeg } from "./process.js";

/** What an ffmpeg exit means for the actor: null when it stopped cleanly or its input ended. */
function failureOf(exit: FfmpegExit): RelayFailure | null {
  if (exit.error) return { code: "internal", message: "ffmpeg could not be started (is it installed?)" };
  if (exit.outcome) return exit.outcome;
  if (exit.inputError && !exit.stoppedByUs) {
    return {
      code: "destination_timeout",
      message: "the destination took the stream too slowly and was cut off",
    };
  }
  return null;
}

export class FfmpegEngine implements RelayEngine {
  private readonly pids: PidFile;

  constructor(options: { pidFile: string; log: Logger }) {
    this.pids = new PidFile(options.pidFile, (error) => options.log.warn({ err: error }, "ffmpeg PID file"));
  }

  start(input: RelayInput, spec: RelaySpec, events: RelayEvents): RelayHandle {
    const args = relayArgs({
      inputFormat: input.container,
      target: spec.target,
      streamKey: spec.streamKey,
      insecureSkipVerify: spec.insecureSkipVerify,
      progressFd: PROGRESS_FD,
    });
    events.log(`ffmpeg: relaying to ${formatDestinationUrl(spec.target, { redact: true })}`);
    const ffmpeg = startFfmpeg({
      args,
      input: input.stream,
      secrets: spec.secrets,
      pidRegistry: this.pids,
      onProgress: (stats) =>
        events.progress({
          bitrateBps: stats.bitrateBps ?? 0,
          bytesSent: stats.totalSizeBytes ?? 0,
          speed: stats.speed ?? 0,
        }),
      onStderrLine: (line) => events.log(line.text),
      onExit: (exit) => events.exit(failureOf(exit)),
    });
    return {
      stop: async () => {
        await ffmpeg.stop();
      },
    };
  }
}
