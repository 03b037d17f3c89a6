// What a write to /api must meet before it is routed or its body read. Browsers send the session
// cookie with same-site requests from any port of the host (SameSite only looks at the site), and
// moleculer-web merges query strings into the params; together they let a page on another port
// make a logged-in admin's browser write. So, for every POST/PUT/PATCH/DELETE under /api:
//   - no query string (params of a write come from the path and a JSON body only): 422;
//   - a body larger than BODY_LIMIT_BYTES is refused by its Content-Length: 413;
//   - a body must be JSON (no form posts, which need no CORS preflight): 415; except a picture
//     upload (./picture-upload.ts), whose body is the picture, at most 2 MiB (422 when larger);
//   - a write authenticated by the cookie (no Authorization header) needs Sec-Fetch-Site:
//     same-origin or an Origin naming this host: 403 otherwise.
import type { IncomingMessage } from "node:http";
import { SLATE_PICTURE_MAX_BYTES } from "../../node/slate/slate-picture.js";
import { tokenFromCookie } from "../session-cookie.js";
import { BODY_LIMIT_BYTES } from "./errors.js";
import { isPictureUpload, TOO_LARGE } from "./picture-upload.js";
import { API_ROUTES } from "./routes.js";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface Refusal {
  readonly code: number;
  readonly type: string;
  readonly message: string;
  readonly data?: { fields: Record<string, string> };
}

function hasBody(req: IncomingMessage): boolean {
  return Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
}

function isJson(req: IncomingMessage): boolean {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  return type === "application/json";
}

/** Whether the browser says the request comes from this very origin. */
function isSameOrigin(req: IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined) return site === "same-origin";
  const origin = req.headers.origin;
  if (!origin || !URL.canParse(origin)) return false;
  const host = new URL(origin).host;
  const forwarded = req.headers["x-forwarded-host"];
  return host === req.headers.host || (typeof forwarded === "string" && host === forwarded);
}

export function guardRequest(req: IncomingMessage): Refusal | undefined {
  if (READS.has(req.method ?? "GET")) return undefined;
  const url = new URL(req.url ?? "/", "http://localhost");
  if (!url.pathname.startsWith("/api/")) return undefined;
  if (url.search !== "") {
    return {
      code: 422,
      type: "validation_failed",
      message: "writes take their fields from a JSON body, not the query string",
      data: { fields: { query: "not accepted on a write" } },
    };
  }
  const picture = isPictureUpload(req, API_ROUTES);
  if (picture && Number(req.headers["content-length"] ?? 0) > SLATE_PICTURE_MAX_BYTES) return TOO_LARGE;
  if (!picture && Number(req.headers["content-length"] ?? 0) > BODY_LIMIT_BYTES) {
    return { code: 413, type: "too_large", message: "too large" };
  }
  if (!picture && hasBody(req) && !isJson(req)) {
    return {
      code: 415,
      type: "validation_failed",
      message: "the body must be JSON (Content-Type: application/json)",
    };
  }
  const byCookie =
    req.headers.authorization === undefined && tokenFromCookie(req.headers.cookie) !== undefined;
  if (byCookie && !isSameOrigin(req)) {
    return {
      code: 403,
      type: "forbidden",
      message: "a write with the session cookie must come from this site's own pages (Origin)",
    };
  }
  return undefined;
}
