// The one place where runtime errors become Moleculer errors, with the HTTP status and the
// public error code of the REST API. Anything unexpected becomes `internal` without details.
import moleculer from "moleculer";
import type { z } from "zod";
import {
  ConflictError,
  FeatureDisabledError,
  ForbiddenError,
  NotFoundError,
  StorageFullError,
  TooManyRequestsError,
  UnauthenticatedError,
  ValidationFailedError,
} from "../node/defs/errors.js";
import { StoreUnavailableError } from "../node/store/store.js";

const { MoleculerClientError, MoleculerError } = moleculer.Errors;

const MAPPING: [new (...args: never[]) => Error, number, string][] = [
  [ValidationFailedError, 422, "validation_failed"],
  [NotFoundError, 404, "not_found"],
  [ConflictError, 409, "conflict"],
  [ForbiddenError, 403, "forbidden"],
  [FeatureDisabledError, 403, "feature_disabled"],
  [UnauthenticatedError, 401, "unauthenticated"],
  [TooManyRequestsError, 429, "too_many_requests"],
  // Server errors a client can act on (retry later, free disk space): their message is shown.
  [StoreUnavailableError, 503, "unavailable"],
  [StorageFullError, 507, "storage_full"],
];

/** What a client error carries besides its message: the bad fields, or when to try again. */
function dataOf(error: Error): Record<string, unknown> | undefined {
  if (error instanceof ValidationFailedError) return { fields: error.fields };
  if (error instanceof TooManyRequestsError) return { retryAfterSeconds: error.retryAfterSeconds };
  return undefined;
}

/** Translates an error thrown by node/ code; Moleculer's own errors pass through unchanged. */
export function toServiceError(error: unknown): Error {
  if (error instanceof MoleculerError) return error;
  for (const [type, status, code] of MAPPING) {
    if (error instanceof type) {
      return new MoleculerClientError(error.message, status, code, dataOf(error));
    }
  }
  return new MoleculerError("internal error", 500, "internal");
}

/** zod's issues as `{ field: message }`, the `fields` of a 422 answer. */
export function fieldsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const names =
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => [...issue.path.map(String), key].join("."))
        : [issue.path.map(String).join(".") || "body"];
    const message = issue.code === "unrecognized_keys" ? "unknown field" : issue.message;
    for (const name of names) fields[name] ??= message;
  }
  return fields;
}
