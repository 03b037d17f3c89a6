// Why a native push ended, one class per RelayFailure code it maps to (./engine.ts). Messages name
// the host and the server's own words, never the stream key: the server's words are redacted
// before they are logged, since some servers echo the stream name.

import { StreamwellError } from "../defs/errors.js";
import type { ErrorCode } from "../defs/restream-status.js";

export abstract class PushError extends StreamwellError {
  abstract readonly code: ErrorCode;
}

/** The server refused the application or the stream key (an _error or an error onStatus, or a hang-up in answer). */
export class PushRejectedError extends PushError {
  readonly code = "destination_rejected";
}

/** Nothing to talk to: refused, unknown host, reset, closed, a certificate not trusted, a broken protocol. */
export class PushUnreachableError extends PushError {
  readonly code = "destination_unreachable";
}

/** A step took too long, or the destination took the stream too slowly and was cut off. */
export class PushTimeoutError extends PushError {
  readonly code = "destination_timeout";
}
