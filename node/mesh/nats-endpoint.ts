// Where the mesh's NATS is and how to log in, from STREAMWELL_NATS_URL (credentials may sit in the
// URL) and STREAMWELL_NATS_TOKEN. The Moleculer transporter and the KV store connect with these same
// options. `redacted` is the only form of the URL that may reach a log line or an error message.

export interface NatsEndpoint {
  /** Server URLs without credentials. */
  readonly servers: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  readonly redacted: string;
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
export function natsEndpoint(url: string, token?: string): NatsEndpoint {
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
  const chosenToken = token ?? urlToken;
  return {
    servers,
    ...(user !== undefined && { user }),
    ...(pass !== undefined && { pass }),
    ...(chosenToken !== undefined && { token: chosenToken }),
    redacted: redactNatsUrl(url),
  };
}

/** The URL list with any user, password or token replaced, safe for logs. */
export function redactNatsUrl(url: string): string {
  return url
    .split(",")
    .map((part) => part.trim().replace(/^([a-z]+:\/\/)[^@/]*@/i, "$1[redacted]@"))
    .join(",");
}
