// Settings of the HTTP edge: cookies, proxies, the metrics scrape token, login throttling. Kept
// apart from schema.ts so that the security knobs read as one group; schema.ts spreads them in.
import { z } from "zod";

/** true/false from a file, or the strings "true"/"false" from the environment. */
export const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((text) => text === "true")]);

export const webFields = {
  /** Mark the session cookie Secure even without X-Forwarded-Proto: https (TLS ends in front of the node). */
  secureCookies: flag.default(false),
  /** The client address for login throttling is the last X-Forwarded-For hop (a reverse proxy in front). */
  trustProxy: flag.default(false),
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>`. */
  metricsToken: z.string().min(16, "must be at least 16 characters").max(256).optional(),
  /** The login throttling window (DESIGN: 15 minutes); shorter only for tests. */
  loginWindowSeconds: z.coerce
    .number({ error: "must be a number of seconds" })
    .int("must be a whole number of seconds")
    .min(1)
    .max(86_400)
    .default(900),
};
