// The ffmpeg engine: one supervised `ffmpeg -c copy` per running restream, fed the channel hub's
// bytes (FLV or MPEG-TS) on stdin: a relay to a destination; for Remote Playback, the SRT listener
// (node/ffmpeg/fanout.ts) and the FLV -> MPEG-TS remux of a caller of an RTMP-ingested channel. It
// adapts node/ffmpeg's process wrapper to the actors' contracts (node/defs/relay.ts).
import type { Readable } from "node:stream";
import type {
  ListenerEngine,
  PlaybackEvents,
  PlaybackServer,
  PlaybackSpec,
  RelayEngine,
  RelayEvents,
  RelayFailure,
  RelayHandle,
  RelayInput,
  RelaySpec,
  RemuxEvents,
} from "../defs/relay.js";
import type { Logger } from "../kit/log.js";
import { formatDestinationUrl } from "../urls/destination-url.js";
import { PROGRESS_FD, relayArgs } from "./args.js";
import { classifyRelayExit } from "./classify.js";
import type { ExitClassifier } from "./exit.js";
import { startFanout } from "./fanout.js";
import { PidFile } from "./pidfile.js";
import { remuxArgs } from "./playback-args.js";
import { type FfmpegExit, startFfmpeg } from "./process.js";

/** What an ffmpeg exit means for the actor: null when it stopped cleanly or its input ended. */
function failureOf(exit: FfmpegExit<RelayFailure>): RelayFailure | null {
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

export class FfmpegEngine implements RelayEngine, ListenerEngine {
  private readonly pids: PidFile;
  private readonly bindHost: string;
  private readonly caFile: string | undefined;

  /** `caFile`: the roots RTMPS destinations are verified against (STREAMWELL_CA_FILE; kit/ca-file.ts). */
  constructor(options: { pidFile: string; log: Logger; bindHost: string; caFile?: string }) {
    this.pids = new PidFile(options.pidFile, (error) => options.log.warn({ err: error }, "ffmpeg PID file"));
    this.bindHost = options.bindHost;
    this.caFile = options.caFile;
  }

  start(input: RelayInput, spec: RelaySpec, events: RelayEvents): RelayHandle {
    const args = relayArgs({
      inputFormat: input.container,
      ...(input.codecs && { codecs: input.codecs }),
      target: spec.target,
      streamKey: spec.streamKey,
      insecureSkipVerify: spec.insecureSkipVerify,
      ...(this.caFile && { caFile: this.caFile }),
      ...(spec.srtContainer && { srtContainer: spec.srtContainer }),
      progressFd: PROGRESS_FD,
    });
    events.log(`ffmpeg: relaying to ${formatDestinationUrl(spec.target, { redact: true })}`);
    return this.run(args, input.stream, spec.secrets, events, classifyRelayExit);
  }

  serve(spec: PlaybackSpec, events: PlaybackEvents): PlaybackServer {
    events.log(`srt-fanout: SRT listener on port ${spec.port}, up to ${spec.maxCallers} callers`);
    return startFanout(spec, events, { bindHost: this.bindHost, pidRegistry: this.pids });
  }

  remux(input: RelayInput, events: RemuxEvents): RelayHandle {
    const ffmpeg = startFfmpeg({
      args: remuxArgs(PROGRESS_FD, input.codecs),
      input: input.stream,
      pidRegistry: this.pids,
      onStdout: (chunk) => events.data(chunk),
      onStderrLine: (line) => events.log(line.text),
      classify: (): RelayFailure | null => null,
      onExit: (exit) => events.exit(failureOf(exit)),
    });
    return {
      stop: async () => {
        await ffmpeg.stop();
      },
    };
  }

  private run(
    args: string[],
    input: Readable,
    secrets: readonly string[],
    events: RelayEvents,
    classify: ExitClassifier<RelayFailure>,
  ): RelayHandle {
    const ffmpeg = startFfmpeg({
      args,
      input,
      secrets,
      pidRegistry: this.pids,
      onProgress: (stats) =>
        events.progress({
          bitrateBps: stats.bitrateBps ?? 0,
          bytesSent: stats.totalSizeBytes ?? 0,
          speed: stats.speed ?? 0,
        }),
      onStderrLine: (line) => events.log(line.text),
      classify,
      onExit: (exit) => events.exit(failureOf(exit)),
    });
    return {
      stop: async () => {
        await ffmpeg.stop();
      },
    };
  }
}
