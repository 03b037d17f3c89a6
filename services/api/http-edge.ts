// Small facts about an HTTP request at the edge: who sent it (login throttling), whether TLS ended
// in front of us (Secure cookies), whether it may read /metrics.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * The client's address. With `trustProxy` the last X-Forwarded-For hop (the one our proxy added;
 * earlier hops are whatever the client wrote); otherwise the socket's peer.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers["x-forwarded-for"];
  const hops = typeof forwarded === "string" ? forwarded.split(",").map((hop) => hop.trim()) : [];
  const last = hops[hops.length - 1];
  if (trustProxy && last) return last;
  return req.socket.remoteAddress ?? "unknown";
}

/** TLS ends in front of the node when the proxy says so (a client claiming it only hurts itself). */
export function isBehindTls(req: IncomingMessage): boolean {
  return req.headers["x-forwarded-proto"]?.toString().split(",")[0]?.trim().toLowerCase() === "https";
}

export function withSecureFlag(cookie: string): string {
  return /;\s*Secure(;|$)/i.test(cookie) ? cookie : `${cookie}; Secure`;
}

/** No token configured: open. Otherwise `Authorization: Bearer <token>`, compared in constant time. */
export function metricsAuthorized(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
