// The node's configuration: one zod schema, so defaults, the file and the environment are
// checked by the same rules. Keys are camelCase; the environment variable of a key is
// STREAMWELL_ + its SCREAMING_SNAKE form (httpPort -> STREAMWELL_HTTP_PORT).
import { hostname } from "node:os";
import { z } from "zod";
import { ENGINE_NAMES } from "../defs/relay.js";
import { SYSTEM_CA_FILE } from "../kit/ca-file.js";
import { limitsFields } from "./limits-fields.js";
import { meshFields } from "./mesh-fields.js";
import { webFields } from "./web-fields.js";

const PORT_MESSAGE = "must be a whole number from 0 to 65535 (0 picks a free port)";
const port = z.coerce
  .number({ error: PORT_MESSAGE })
  .int(PORT_MESSAGE)
  .min(0, PORT_MESSAGE)
  .max(65535, PORT_MESSAGE);

/** "9000-9199": an inclusive range of UDP ports for SRT listeners. */
const portRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, 'must look like "9000-9199"')
  .transform((text) => {
    const [from, to] = text.split("-").map(Number) as [number, number];
    return { from, to };
  })
  .refine(
    ({ from, to }) => from >= 1 && to <= 65535 && from <= to,
    "must be FROM-TO with 1 <= FROM <= TO <= 65535",
  );

const NATS_URL_MESSAGE = "must be one or more nats:// or tls:// URLs, comma-separated";
/** One or more server URLs; the message never echoes the value (it may hold a password). */
const natsUrl = z.string().refine(
  (text) =>
    text.split(",").every((part) => {
      if (!URL.canParse(part.trim())) return false;
      const url = new URL(part.trim());
      return (url.protocol === "nats:" || url.protocol === "tls:") && url.hostname !== "";
    }),
  NATS_URL_MESSAGE,
);

const nodeId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 characters of letters, digits, '_' or '-'");

export const configSchema = z
  .object({
    httpPort: port.default(8080),
    bindHost: z.string().min(1).default("0.0.0.0"),
    rtmpPort: port.default(1935),
    rtmpsPort: port.default(1936),
    rtmpsCert: z.string().min(1).optional(),
    rtmpsKey: z.string().min(1).optional(),
    srtPorts: portRange.default({ from: 9000, to: 9199 }),
    dataDir: z.string().min(1).default("./data"),
    nodeId: nodeId.default(() =>
      hostname()
        .replace(/[^A-Za-z0-9_-]/g, "-")
        .slice(0, 64),
    ),
    publicHost: z
      .string()
      .min(1)
      .default(() => hostname()),
    natsUrl: natsUrl.optional(),
    natsToken: z.string().min(1).optional(),
    ...meshFields,
    /** JetStream replicas of the KV bucket when this node creates it (3 on a 3-server cluster). */
    natsReplicas: z.coerce
      .number({ error: "must be a whole number from 1 to 5" })
      .int("must be a whole number from 1 to 5")
      .min(1, "must be a whole number from 1 to 5")
      .max(5, "must be a whole number from 1 to 5")
      .default(1),
    namespace: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, "must be 1-32 characters of letters, digits, '_' or '-'")
      .default("streamwell"),
    maxRestreams: z.coerce
      .number({ error: "must be a whole number >= 0 (0: no limit)" })
      .int()
      .min(0)
      .default(0),
    /** RTMP/RTMPS connections one IPv4 address (or IPv6 /64) may hold on a listener at once. */
    rtmpMaxConnectionsPerAddress: z.coerce
      .number({ error: "must be a whole number from 1 to 1000" })
      .int("must be a whole number from 1 to 1000")
      .min(1, "must be a whole number from 1 to 1000")
      .max(1000, "must be a whole number from 1 to 1000")
      .default(16),
    /** Which engine pushes RTMP/RTMPS restreams; destinations may override it (SRT always uses ffmpeg). */
    restreamEngine: z.enum(ENGINE_NAMES).default("native"),
    /** First retry of a failed webhook delivery after this, doubling to 60 s, for up to 10 minutes. */
    webhookRetryBaseMs: z.coerce
      .number({ error: "must be a whole number of milliseconds from 10 to 60000" })
      .int()
      .min(10)
      .max(60_000)
      .default(2_000),
    /** PEM roots both restream engines verify RTMPS destinations with (not Node's bundled ones). */
    caFile: z.string().min(1).default(SYSTEM_CA_FILE),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Base64 of 32 bytes: seals secrets at rest (kit/secret-key.ts says where it comes from without it). */
    secretKey: z.string().min(1).optional(),
    secretKeyFile: z.string().min(1).optional(),
    /** Keys a rotation replaced, comma-separated: they open what they sealed until it is sealed anew at start. */
    secretKeyPrevious: z
      .string()
      .min(1)
      .transform((text) => text.split(",").map((part) => part.trim()))
      .optional(),
    adminPassword: z.string().min(8, "must be at least 8 characters").max(256).optional(),
    sessionTtlHours: z.coerce
      .number({ error: "must be a number of hours" })
      .min(0.01)
      .max(24 * 365)
      .default(12),
    ...webFields,
    /** Open event streams (GET /api/v1/events) one user may hold on this node: a browser tab each. */
    sseMaxPerUser: z.coerce
      .number({ error: "must be a whole number from 1 to 1000" })
      .int()
      .min(1)
      .max(1000)
      .default(10),
    /** Open event streams on this node, all users together. */
    sseMaxPerNode: z.coerce
      .number({ error: "must be a whole number from 1 to 100000" })
      .int()
      .min(1)
      .max(100_000)
      .default(1000),
    ...limitsFields,
  })
  .strict()
  .refine((c) => Boolean(c.rtmpsCert) === Boolean(c.rtmpsKey), {
    message: "rtmpsCert and rtmpsKey go together: set both or neither",
    path: ["rtmpsCert"],
    when: () => true, // report it alongside every other problem, not only once they are fixed
  })
  .refine((c) => !(c.secretKey && c.secretKeyFile), {
    message: "secretKey and secretKeyFile are two ways to give one key: set only one",
    path: ["secretKey"],
    when: () => true,
  })
  .refine((c) => !c.natsUrl || Boolean(c.secretKey || c.secretKeyFile), {
    message:
      "with natsUrl (a mesh) every node must be given the same secret key in STREAMWELL_SECRET_KEY or STREAMWELL_SECRET_KEY_FILE (make one with: openssl rand -base64 32)",
    path: ["secretKey"],
    when: (payload) => payload.issues.length === 0, // a bad natsUrl is the problem to report then
  })
  .refine((c) => Boolean(c.natsTlsCert) === Boolean(c.natsTlsKey), {
    message: "natsTlsCert and natsTlsKey go together: set both or neither",
    path: ["natsTlsCert"],
    when: () => true,
  })
  .refine((c) => !c.natsUrl || Boolean(c.meshSecret) || c.meshInsecure, {
    message:
      "a mesh needs STREAMWELL_MESH_SECRET (the same on every node; make one with: openssl rand -base64 32), or STREAMWELL_MESH_INSECURE=true to run without one",
    path: ["meshSecret"],
    when: (payload) => payload.issues.length === 0, // a mistyped URL first: it may not be meant as NATS
  });

export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigKey = keyof z.input<typeof configSchema>;

/** Keys whose values are secrets: never logged. */
export const SECRET_KEYS: readonly ConfigKey[] = [
  "adminPassword",
  "natsToken",
  "secretKey",
  "secretKeyPrevious",
  "metricsToken",
  "meshSecret",
  "meshSecretAccept",
];
