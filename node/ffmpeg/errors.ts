// Typed errors of the ffmpeg wrapper. Messages never hold a stream key or passphrase.
import { StreamwellError } from "../defs/errors.js";

/** relayArgs was given something it cannot turn into a safe command line (a programming or data error). */
export class RelayArgsError extends StreamwellError {}

/** ffmpeg (or setpriv in front of it) could not be started at all. */
export class FfmpegSpawnError extends StreamwellError {}
