// Response schemas: what each public action answers, as the view builders (node/catalog/views.ts)
// and the services shape it. They feed the OpenAPI document's responses (services/api/openapi.ts),
// from which the web UI's types are generated (scripts/web-types.mjs); the integration test
// test/integration/openapi-responses.test.ts checks real answers against them, so they cannot drift.
import { z } from "zod";
import { SOURCE_LOSS } from "../../node/catalog/records.js";
import { WEBHOOK_EVENTS } from "../../node/catalog/webhooks.js";
import { AUDIO_CODECS, VIDEO_CODECS } from "../../node/defs/codecs.js";
import { INGEST_INPUTS } from "../../node/defs/ingest-input.js";
import { ENGINE_NAMES } from "../../node/defs/relay.js";
import { ERROR_CODES, RESTREAM_STATES } from "../../node/defs/restream-status.js";
import { WARNING_CODES } from "../../node/defs/warnings.js";
import { outputProfile } from "./resources.js";

const time = z.string().describe("ISO 8601");
const role = z.enum(["admin", "user"]);

/** `{ items }`, the shape of every list answer. */
export const listOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item) });

export const me = z.strictObject({ id: z.string(), username: z.string(), role });

export const user = z.strictObject({ ...me.shape, createdAt: time });
/** A user as admins see them (and a user their own after a change): with the quotas that apply. */
export const userWithQuotas = z.strictObject({
  ...user.shape,
  quotas: z.strictObject({ channels: z.number(), restreams: z.number(), srtPorts: z.number() }),
});

export const login = z.strictObject({ token: z.string(), expiresAt: time, user });

export const apiToken = z.strictObject({
  id: z.string(),
  name: z.string(),
  createdAt: time,
  expiresAt: time.nullable().describe("null: it never expires"),
});

/** The create answer: the only time the token is shown. */
export const newApiToken = z.strictObject({ ...apiToken.shape, token: z.string() });

export const features = z.strictObject({ restreaming: z.boolean(), srt: z.boolean() });

export const destinationKind = z.enum(["rtmp", "rtmps", "srt"]);

export const destination = z.strictObject({
  id: z.string(),
  name: z.string(),
  url: z.string().describe("Passphrases redacted"),
  kind: destinationKind,
  insecureSkipVerify: z.boolean(),
  engine: z.enum(ENGINE_NAMES).nullable().describe("null: the node's restreamEngine"),
  preset: z.string().nullable().describe("The platform preset it was made from (GET /presets)"),
  usedBy: z.array(z.string()).describe("Ids of the restreams that push to it"),
  createdAt: time,
});

export const preset = z.strictObject({
  id: z.string(),
  name: z.string(),
  url: z.string().nullable().describe("null: the platform makes a URL per live event"),
  protocol: z.enum(["rtmp", "rtmps"]),
  requiredApp: z.string().nullable().describe("The application path a URL must have (Kick: app)"),
  maxVideoBitrateKbps: z.number(),
  keyframeSeconds: z.number().describe("The longest keyframe interval it takes"),
  videoCodecs: z.array(z.enum(["h264", "hevc"])),
  audio: z.strictObject({ codec: z.enum(["aac"]), minBitrateKbps: z.number() }),
});

export const channelCodecs = z.strictObject({
  video: z.enum(VIDEO_CODECS).nullable(),
  audio: z.enum(AUDIO_CODECS).nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  profile: z.string().nullable(),
  level: z.string().nullable(),
  sampleRate: z.number().nullable(),
  channels: z.number().nullable(),
});

export const ingestStats = z.strictObject({
  bitrateBps: z.number().describe("All of the stream, audio included"),
  audioBitrateBps: z.number(),
  fps: z.number(),
  keyframeIntervalSeconds: z.number(),
});

export const channel = z.strictObject({
  id: z.string(),
  name: z.string(),
  ownerId: z.string(),
  srtIngest: z.boolean(),
  backup: z.boolean().describe("The channel has a backup stream key"),
  live: z.boolean(),
  input: z
    .enum(INGEST_INPUTS)
    .nullable()
    .describe("Which input feeds the channel now: its primary or its backup encoder; null while offline"),
  node: z.string().nullable().describe("The node holding the ingest while live"),
  codecs: channelCodecs.nullable(),
  stats: ingestStats.nullable(),
  createdAt: time,
});

/** A channel's own GET and create (owner or admin): with the key and the ingest URLs that carry it. */
export const channelWithSecrets = z.strictObject({
  ...channel.shape,
  streamKey: z.string(),
  backupStreamKey: z.string().nullable().describe("The backup encoder's stream key; null without a backup"),
  ingest: z.strictObject({
    rtmp: z.string(),
    rtmpServer: z.string(),
    srt: z.string().nullable(),
    rtmpBackup: z.string().nullable().describe("The backup encoder's RTMP URL; null without a backup"),
    srtBackup: z
      .string()
      .nullable()
      .describe("The backup encoder's SRT URL (with its passphrase); null without a backup or SRT ingest"),
  }),
});

export const restreamState = z.enum(RESTREAM_STATES);
export const restreamKind = z.enum(["destination", "srt_push", "remote_playback"]);

export const schedule = z
  .strictObject({ startAt: time.optional(), stopAt: time.optional() })
  .describe("Times still to apply: started at startAt, stopped at stopAt");

export const restream = z.strictObject({
  id: z.string(),
  channelId: z.string(),
  kind: restreamKind,
  name: z.string(),
  destinationId: z.string().nullable(),
  url: z.string().nullable().describe("SRT Push only, passphrase redacted"),
  playbackUrl: z
    .string()
    .nullable()
    .describe("Remote Playback only; the passphrase only in the single GET and the create answer"),
  state: restreamState,
  error: z
    .strictObject({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      retryAt: time.nullable().describe("null when it waits for something other than time"),
    })
    .nullable(),
  node: z.string().nullable(),
  stats: z.strictObject({
    bitrateBps: z.number(),
    bytesSent: z.number(),
    uptimeSeconds: z.number(),
    restarts: z.number(),
    speed: z.number(),
  }),
  output: outputProfile,
  maxCallers: z.number().nullable().describe("Remote Playback only: callers served at once"),
  onSourceLoss: z.enum(SOURCE_LOSS).describe('"wait" (absent in the store) or "slate"'),
  slateSeconds: z.number(),
  holding: z.boolean().describe("Streaming with the slate on air (the channel lost every input)"),
  warnings: z
    .array(
      z.strictObject({
        code: z.enum(WARNING_CODES),
        message: z.string(),
      }),
    )
    .describe("Where the live stream breaks its destination's preset; empty without a preset or offline"),
  schedule: schedule.nullable(),
  revision: z
    .number()
    .int()
    .describe(
      "Grows with every change of the restream's settings or start/stop (its own, the scheduler's): of two views, the larger revision is the newer; equal revisions differ only in live state",
    ),
  createdAt: time,
});

/** Start or stop every restream of a channel: all of them, and those a feature switch kept off. */
export const bulkAnswer = z.strictObject({
  items: z.array(restream),
  skipped: z.array(z.strictObject({ id: z.string(), code: z.string(), message: z.string() })),
});

export const historyItem = z.strictObject({
  time,
  kind: z.enum(["restream", "channel"]).describe("The restream's own state, or its channel's live/offline"),
  state: z.union([restreamState, z.enum(["live", "offline"])]),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
  node: z.string(),
});

export const logs = z.strictObject({ lines: z.array(z.strictObject({ time, text: z.string() })) });

export const nodeInfo = z.strictObject({
  id: z.string(),
  address: z.string().nullable(),
  uptimeSeconds: z.number(),
  ingests: z.number(),
  actors: z.strictObject({ restream: z.number(), playback: z.number(), chain: z.number() }),
  maxRestreams: z.number(),
  load: z.number().describe("One-minute load average per core"),
});

/** A node in GET /nodes: its own facts, and whether an admin drains it (from the store). */
export const nodeItem = nodeInfo.extend({
  draining: z.boolean().describe("Takes no restream; what ran there moves to other nodes"),
});

export const nodeDrain = z.strictObject({ id: z.string(), draining: z.boolean() });

/** A webhook as admins see it: never its secret. */
export const webhook = z.strictObject({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  createdAt: time,
});

/** One attempt to deliver one event. */
export const webhookDelivery = z.strictObject({
  time,
  deliveryId: z.string().describe("The same for every attempt of one delivery"),
  event: z.string().describe('restream.state, channel.live or "test"'),
  attempt: z.number().describe("1 for the first try, then each retry"),
  status: z.number().nullable().describe("The receiver's HTTP status; null when it did not answer"),
  ok: z.boolean(),
  error: z.string().nullable(),
});

/** The test event is queued, not awaited: its attempts appear in the delivery log. */
export const webhookTest = z.strictObject({ queued: z.literal(true) });
