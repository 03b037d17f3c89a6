// Typed errors of the node runtime. One class per condition, `name` set, `cause` kept.
// They carry no Moleculer or HTTP knowledge: services/errors.ts maps them at the edge.
// Messages must never contain a secret (stream key, passphrase, password, token).

export class StreamwellError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Field name -> what is wrong with it, for payloads and URLs. */
export type FieldProblems = Record<string, string>;

export class ValidationFailedError extends StreamwellError {
  constructor(
    message: string,
    readonly fields: FieldProblems = {},
  ) {
    super(message);
  }
}

export class NotFoundError extends StreamwellError {}
export class ConflictError extends StreamwellError {}
export class ForbiddenError extends StreamwellError {}
export class UnauthenticatedError extends StreamwellError {}
export class FeatureDisabledError extends StreamwellError {}

/** The disk under the node's data dir is full: the write was refused and nothing was written. */
export class StorageFullError extends StreamwellError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what}: the node's data dir is full (no space left on its disk); nothing was written`, options);
  }
}

/** True for a file-system error that says the disk is full (ENOSPC; EDQUOT: over a quota). */
export function isNoSpace(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}

/** Too many attempts (logins): try again after `retryAfterSeconds`. */
export class TooManyRequestsError extends StreamwellError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
