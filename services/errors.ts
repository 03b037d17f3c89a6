// The one place where runtime errors become Moleculer errors, with the HTTP status and the
// public error code of the REST API. Anything unexpected becomes `internal` without details.
import moleculer from "moleculer";
import {
  ConflictError,
  FeatureDisabledError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationFailedError,
} from "../node/defs/errors.js";

const { MoleculerClientError, MoleculerError } = moleculer.Errors;

const MAPPING: [new (...args: never[]) => Error, number, string][] = [
  [ValidationFailedError, 422, "validation_failed"],
  [NotFoundError, 404, "not_found"],
  [ConflictError, 409, "conflict"],
  [ForbiddenError, 403, "forbidden"],
  [FeatureDisabledError, 403, "feature_disabled"],
  [UnauthenticatedError, 401, "unauthenticated"],
];

/** Translates an error thrown by node/ code; Moleculer's own errors pass through unchanged. */
export function toServiceError(error: unknown): Error {
  if (error instanceof MoleculerError) return error;
  for (const [type, status, code] of MAPPING) {
    if (error instanceof type) {
      const fields = error instanceof ValidationFailedError ? error.fields : undefined;
      return new MoleculerClientError(error.message, status, code, fields ? { fields } : undefined);
    }
  }
  return new MoleculerError("internal error", 500, "internal");
}
