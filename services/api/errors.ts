// The REST error body: {error:{code, message, fields?}}. Status and code come from the service
// error (services/errors.ts) or, for the gateway's own failures (bad JSON, a body too large, an
// unknown path), from the HTTP status. Never a stack trace, never a secret.
import type { ServerResponse } from "node:http";

const CODE_BY_STATUS: Record<number, string> = {
  400: "bad_json",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  405: "not_found",
  409: "conflict",
  413: "too_large",
  415: "validation_failed",
  422: "validation_failed",
  429: "too_many_requests",
  503: "unavailable",
  504: "timeout",
  507: "storage_full",
};

/** Server errors whose message the client sees: a store away (retry) or a full disk (free space). */
const TOLD_SERVER_ERRORS = new Set([503, 507]);

const PUBLIC_CODES = new Set([...Object.values(CODE_BY_STATUS), "feature_disabled", "not_ready"]);

/** Request bodies larger than this are refused (413) before they are read. */
export const BODY_LIMIT_BYTES = 64 * 1024;

interface ErrorLike {
  code?: unknown;
  status?: unknown;
  type?: unknown;
  message?: unknown;
  data?: { fields?: Record<string, string>; retryAfterSeconds?: number };
}

export function errorBody(error: ErrorLike): { status: number; body: { error: Record<string, unknown> } } {
  const raw =
    typeof error.code === "number" ? error.code : typeof error.status === "number" ? error.status : 500;
  const status = raw >= 400 && raw < 600 ? raw : 500;
  const code =
    typeof error.type === "string" && PUBLIC_CODES.has(error.type) ? error.type : CODE_BY_STATUS[status];
  if (!code || status >= 500) {
    return {
      status,
      body: {
        error: {
          code: code ?? "internal",
          message: TOLD_SERVER_ERRORS.has(status) ? String(error.message) : "internal error",
        },
      },
    };
  }
  const message =
    status === 400
      ? "the body is not valid JSON"
      : status === 413
        ? `the body is larger than ${BODY_LIMIT_BYTES / 1024} KiB`
        : String(error.message);
  const fields = error.data?.fields;
  return { status, body: { error: fields ? { code, message, fields } : { code, message } } };
}

export function sendError(res: ServerResponse, error: ErrorLike): void {
  const { status, body } = errorBody(error);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  const retryAfter = error.data?.retryAfterSeconds;
  if (status === 429 && typeof retryAfter === "number") res.setHeader("Retry-After", String(retryAfter));
  // Set, not left to Node, so that a HEAD (whose body Node drops) tells the same length as a GET.
  const text = JSON.stringify(body);
  res.setHeader("Content-Length", Buffer.byteLength(text));
  res.end(text);
}
