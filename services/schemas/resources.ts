// Request schemas of the public actions, one per action. The same objects validate calls (see
// services/middleware.ts) and generate the OpenAPI document (services/api/openapi.ts).
import { z } from "zod";
import { SOURCE_LOSS } from "../../node/catalog/records.js";
import { WEBHOOK_EVENTS } from "../../node/catalog/webhooks.js";
import { DEFAULT_MAX_CALLERS, ENGINE_NAMES, MAX_CALLERS_LIMIT } from "../../node/defs/relay.js";
import { PRESET_IDS } from "../../node/restreams/presets.js";
import { SLATE_PICTURE_MAX_BYTES } from "../../node/slate/slate-picture.js";
import { byId, destinationStreamKey, destinationUrl, empty, id, name, password, username } from "./common.js";

export const auth = {
  login: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
  logout: empty,
  me: empty,
};

const role = z.enum(["admin", "user"]);

const quotaValue = z
  .number()
  .int("must be a whole number")
  .min(0, "must be >= 0 (0: no limit)")
  .max(1_000_000)
  .nullable()
  .optional()
  .describe("null: the server's default; 0: no limit");

const quotas = z
  .strictObject({ channels: quotaValue, restreams: quotaValue, srtPorts: quotaValue })
  .describe("Admins only: this user's quotas");

export const users = {
  list: empty,
  create: z.strictObject({ username, password, role: role.default("user") }),
  get: byId,
  update: z.strictObject({
    id,
    password: password.optional(),
    currentPassword: z.string().min(1).max(256).optional().describe("Needed to change your own password"),
    role: role.optional(),
    quotas: quotas.optional(),
  }),
  remove: byId,
};

export const tokens = {
  list: empty,
  create: z.strictObject({
    name,
    expiresInDays: z
      .number()
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(3650, "must be at most 3650 days")
      .optional()
      .describe("Without it the token never expires"),
  }),
  remove: byId,
};

export const features = {
  get: empty,
  update: z.strictObject({ restreaming: z.boolean().optional(), srt: z.boolean().optional() }),
};

const destinationFields = {
  name,
  url: destinationUrl(["rtmp", "rtmps", "srt"]),
  insecureSkipVerify: z.boolean().describe("RTMPS only: accept an untrusted server certificate"),
  engine: z
    .enum(ENGINE_NAMES)
    .nullable()
    .describe(
      'Which engine pushes restreams to it ("native": RTMP/RTMPS only); null: the node\'s restreamEngine',
    ),
  preset: z
    .enum(PRESET_IDS)
    .nullable()
    .describe(
      "A platform preset (GET /presets): fills the URL when none is given; its rules give restreams warnings",
    ),
};

export const destinations = {
  list: empty,
  create: z.strictObject({
    ...destinationFields,
    url: destinationFields.url.optional().describe("Needed unless a preset gives one"),
    insecureSkipVerify: destinationFields.insecureSkipVerify.default(false),
    engine: destinationFields.engine.default(null),
    preset: destinationFields.preset.default(null),
  }),
  presets: empty,
  get: byId,
  update: z.strictObject({
    id,
    name: name.optional(),
    url: destinationFields.url.optional(),
    insecureSkipVerify: destinationFields.insecureSkipVerify.optional(),
    engine: destinationFields.engine.optional(),
    preset: destinationFields.preset.optional(),
  }),
  remove: byId,
};

const backupInput = z
  .boolean()
  .describe("A second stream key for a backup encoder: it feeds the channel while the primary is down");

export const channels = {
  list: empty,
  create: z.strictObject({ name, srtIngest: z.boolean().default(false), backup: backupInput.default(false) }),
  get: byId,
  update: z.strictObject({
    id,
    name: name.optional(),
    srtIngest: z.boolean().optional(),
    backup: backupInput.optional(),
  }),
  remove: byId,
  resetStreamKey: byId,
  setSlate: z.strictObject({
    id,
    image: z
      .base64()
      .max(Math.ceil(SLATE_PICTURE_MAX_BYTES / 3) * 4 + 4, "must be at most 2 MiB")
      .describe("Over HTTP: the PNG or JPEG itself is the body (the gateway passes it on in base64)"),
  }),
};

const srtUrl = destinationUrl(["srt"]);
const channelId = id;

const maxCallers = z
  .number()
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(MAX_CALLERS_LIMIT, `must be at most ${MAX_CALLERS_LIMIT}`)
  .describe(`Remote Playback: callers served at once (default ${DEFAULT_MAX_CALLERS}); one more is refused`);

const isoTime = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date and time" });

const schedule = z
  .strictObject({ startAt: isoTime.optional(), stopAt: isoTime.optional() })
  .refine((s) => s.stopAt === undefined || Date.parse(s.stopAt) > Date.now(), {
    message: "must be in the future",
    path: ["stopAt"],
  })
  .refine(
    (s) => s.startAt === undefined || s.stopAt === undefined || Date.parse(s.stopAt) > Date.parse(s.startAt),
    { message: "must be after startAt", path: ["stopAt"] },
  )
  .nullable()
  .describe("Started at startAt (one in the past: now) and stopped at stopAt by the scheduler; null: none");

const kbps = (max: number) =>
  z.number().int("must be a whole number").min(16, "must be at least 16").max(max, `must be at most ${max}`);

export const outputProfile = z
  .strictObject({
    video: z.union([
      z.literal("copy"),
      z.strictObject({
        codec: z.literal("h264"),
        bitrateKbps: kbps(100_000),
        maxHeight: z
          .number()
          .int()
          .min(144)
          .max(4320)
          .optional()
          .describe("Scaled down to at most this many lines"),
        fps: z.number().int().min(1).max(120).optional(),
        keyframeSeconds: z.number().min(0.5).max(10).optional().describe("Default 2"),
      }),
    ]),
    audio: z.union([z.literal("copy"), z.strictObject({ codec: z.literal("aac"), bitrateKbps: kbps(512) })]),
  })
  .describe(
    "What a push sends: copy, or re-encoded (restreams of a channel with equal profiles share one encoder)",
  );

const onSourceLoss = z
  .enum(SOURCE_LOSS)
  .describe('When the channel loses every input: "wait" (end the session; default) or "slate" (hold it)');
const slateSeconds = z
  .number()
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(3600, "must be at most 3600")
  .describe("How long the slate holds the session before it ends (default 300)");
const sourceLoss = { onSourceLoss: onSourceLoss.optional(), slateSeconds: slateSeconds.optional() };

export const restreams = {
  listByChannel: z.strictObject({ channelId }),
  create: z.discriminatedUnion("kind", [
    z.strictObject({
      channelId,
      kind: z.literal("destination"),
      destinationId: id,
      streamKey: destinationStreamKey,
      name: name.optional(),
      schedule: schedule.optional(),
      output: outputProfile.optional(),
      ...sourceLoss,
    }),
    z.strictObject({
      channelId,
      kind: z.literal("srt_push"),
      url: srtUrl,
      name: name.optional(),
      schedule: schedule.optional(),
      output: outputProfile.optional(),
      ...sourceLoss,
    }),
    z.strictObject({
      channelId,
      kind: z.literal("remote_playback"),
      name: name.optional(),
      schedule: schedule.optional(),
      maxCallers: maxCallers.optional(),
    }),
  ]),
  get: byId,
  update: z.strictObject({
    id,
    name: name.optional(),
    destinationId: id.optional(),
    streamKey: destinationStreamKey.optional(),
    url: srtUrl.optional(),
    schedule: schedule.optional(),
    output: outputProfile.optional(),
    maxCallers: maxCallers.optional(),
    ...sourceLoss,
  }),
  remove: byId,
  start: byId,
  stop: byId,
  logs: byId,
  history: byId,
  startAll: z.strictObject({ channelId }),
  stopAll: z.strictObject({ channelId }),
};

/** A node id as STREAMWELL_NODE_ID gives it (a hostname by default); it is part of a store key. */
const nodeId = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_=-]+(\.[A-Za-z0-9_=-]+)*$/, "must be a node id"),
});

export const node = {
  list: empty,
  info: empty,
  ready: empty,
  drain: nodeId,
  undrain: nodeId,
};

const webhookUrl = z
  .url({ protocol: /^https?$/, message: "must be an http:// or https:// URL" })
  .max(2048, "must be at most 2048 characters");

const webhookEvents = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1, "name at least one event")
  .transform((events) => [...new Set(events)]);
const webhookSecret = z
  .string()
  .min(16, "must be at least 16 characters")
  .max(256, "must be at most 256 characters");

export const webhooks = {
  list: empty,
  create: z.strictObject({ url: webhookUrl, events: webhookEvents, secret: webhookSecret }),
  update: z.strictObject({
    id,
    url: webhookUrl.optional(),
    events: webhookEvents.optional(),
    secret: webhookSecret.optional().describe("Absent: the secret stays"),
  }),
  remove: byId,
  deliveries: byId,
  test: byId,
};
