// The ffmpeg child-process wrapper: what the rest of the node uses.
export {
  PROGRESS_FD,
  type RelayArgsOptions,
  relayArgs,
  SYSTEM_CA_FILE,
} from "./args.js";
export { type Classification, classifyRelayExit } from "./classify.js";
export { FfmpegSpawnError, RelayArgsError } from "./errors.js";
export { type ExitClassifier, type ExitFacts, outputOpened } from "./exit.js";
export { PidFile, type PidRegistry, type SweepReport, sweepStalePids } from "./pidfile.js";
export {
  DEFAULT_STOP_GRACE_MS,
  type FfmpegExit,
  FfmpegProcess,
  type StartFfmpegOptions,
  startFfmpeg,
} from "./process.js";
export { ProgressParser, type ProgressStats } from "./progress.js";
export { redactLine, type StderrLine, StderrRing } from "./stderr.js";
