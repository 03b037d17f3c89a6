// Where the mesh's NATS is and how to log in, from STREAMWELL_NATS_URL (credentials may sit in the
// URL), STREAMWELL_NATS_TOKEN or a .creds file, and how to trust it (TLS: a CA, and a client
// certificate for servers that verify clients). The Moleculer transporter and the KV store connect
// with these same options (natsConnectOptions). `redacted` is the only form of the URL that may
// reach a log line or an error message.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ConnectionOptions } from "nats";
import type { Config } from "../config/schema.js";

/**
 * nats.js, loaded when first needed: a single node (no NATS) never loads it, which keeps its
 * memory (docs/decisions.md, "What an idle node loads").
 */
const natsClient = (): typeof import("nats") => createRequire(import.meta.url)("nats");

export interface NatsEndpoint {
  /** Server URLs without credentials. */
  readonly servers: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  readonly redacted: string;
  /** A .creds file (user JWT + NKey seed), read when connecting. */
  readonly credsFile?: string;
  /** PEM files; any of them set means the connection must use TLS. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
}

/** How the node logs in to NATS and trusts it, beyond what the URL says. */
export interface NatsSecurity {
  readonly token?: string;
  readonly credsFile?: string;
  readonly tls?: NatsEndpoint["tls"];
}

/**
 * Connection options both NATS clients of a node share: reconnect forever, quickly (a restarted
 * nats-server is back within a second or two), and ping often enough to notice a dead TCP
 * connection in ~10 s instead of nats.js's 4 minutes.
 */
export const NATS_CONNECTION_OPTIONS = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 250,
  reconnectJitter: 100,
  pingInterval: 5_000,
  maxPingOut: 2,
} as const;

/** "nats://user:pass@a:4222,nats://b:4222": one or more URLs, comma-separated, as nats CLI takes them. */
export function natsEndpoint(url: string, security: NatsSecurity = {}): NatsEndpoint {
  let user: string | undefined;
  let pass: string | undefined;
  let urlToken: string | undefined;
  const servers = url.split(",").map((part) => {
    const parsed = new URL(part.trim());
    // A user without a password is a token (nats://TOKEN@host), as in nats.go and the nats CLI.
    if (parsed.username && parsed.password) {
      user ??= decodeURIComponent(parsed.username);
      pass ??= decodeURIComponent(parsed.password);
    } else if (parsed.username) {
      urlToken ??= decodeURIComponent(parsed.username);
    }
    return `${parsed.protocol}//${parsed.host}`;
  });
  const chosenToken = security.token ?? urlToken;
  const tls = security.tls && Object.values(security.tls).some(Boolean) ? security.tls : undefined;
  return {
    servers,
    ...(user !== undefined && { user }),
    ...(pass !== undefined && { pass }),
    ...(chosenToken !== undefined && { token: chosenToken }),
    redacted: redactNatsUrl(url),
    ...(security.credsFile !== undefined && { credsFile: security.credsFile }),
    ...(tls && { tls }),
  };
}

/** The node's endpoint, from its configuration (undefined: no NATS, a single node). */
export function natsEndpointOf(config: Config): NatsEndpoint | undefined {
  if (!config.natsUrl) return undefined;
  return natsEndpoint(config.natsUrl, {
    token: config.natsToken,
    credsFile: config.natsCreds,
    tls: { caFile: config.natsTlsCa, certFile: config.natsTlsCert, keyFile: config.natsTlsKey },
  });
}

/** Options for nats.connect, and for Moleculer's NATS transporter (it hands them to nats.connect). */
export function natsConnectOptions(endpoint: NatsEndpoint, name: string): ConnectionOptions {
  const { servers, user, pass, token, credsFile, tls } = endpoint;
  return {
    ...NATS_CONNECTION_OPTIONS,
    servers: [...servers],
    name,
    ...(user !== undefined && { user }),
    ...(pass !== undefined && { pass }),
    ...(token !== undefined && { token }),
    ...(credsFile !== undefined && {
      authenticator: natsClient().credsAuthenticator(readFileSync(credsFile)),
    }),
    ...(tls && { tls: { ...tls } }),
  };
}

/** The URL list with any user, password or token replaced, safe for logs. */
export function redactNatsUrl(url: string): string {
  return url
    .split(",")
    .map((part) => part.trim().replace(/^([a-z]+:\/\/)[^@/]*@/i, "$1[redacted]@"))
    .join(",");
}

/** Node's codes for a server certificate it could not verify. */
const UNTRUSTED_CERTIFICATE = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
]);

/** What to do about a failed connection, when the failure says it (else ""). */
export function natsConnectHint(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && UNTRUSTED_CERTIFICATE.has(code)
    ? "; the NATS server's TLS certificate is not trusted: set STREAMWELL_NATS_TLS_CA to the CA that signed it"
    : "";
}
