// Every call one Streamwell node makes to another, named once: the action, the zod schema of its
// params and the type of its answer. Callers go through meshCall() and never spell an action name;
// the receiving side declares its handler with serve(), which validates params with the same
// schema before the handler runs (422 `validation_failed` otherwise, nothing done).
// INTERNAL_ACTIONS lists the node-to-node actions that users never call: the mesh-trust
// middleware keys off it (docs/services.md lists the same names).
import type { Context, ServiceBroker } from "moleculer";
import { z } from "zod";
import type { LogLine } from "../node/actors/actor-log.js";
import { ValidationFailedError } from "../node/defs/errors.js";
import { INGEST_INPUTS } from "../node/defs/ingest-input.js";
import type { Exposition } from "../node/metrics/index.js";
import type { ReportSnapshot } from "../node/restreams/report-cache.js";
import { fieldsOf, toServiceError } from "./errors.js";
import type { IngestInfo } from "./events.js";
import { id } from "./schemas/common.js";

/** One action another node calls: its full name, its params' schema and (as a type only) its answer. */
export interface MeshCall<S extends z.ZodType, R> {
  readonly name: string;
  readonly params: S;
  /** Never set: carries the answer's type. */
  readonly result?: R;
}

function call<R>() {
  return <S extends z.ZodType>(name: string, params: S): MeshCall<S, R> => ({ name, params });
}

const NODE = "streamwell.node";
const nodeId = z.string().min(1).max(128);
const container = z.enum(["flv", "mpegts"]);

/** No spec, strictly: a node runs what the store says (node/actors/fence.ts), never what a call carries. */
const placedOrder = z.strictObject({
  restreamId: id,
  channelId: id,
  epoch: z.number().int().nonnegative(),
  takeoverFrom: nodeId.optional(),
});

const chainLink = z.object({
  channelId: id,
  sourceNodeId: nodeId,
  targetNodeId: nodeId,
  container,
  input: z.enum(INGEST_INPUTS).optional(),
});

/** More than the scheduler ever sends in one call (node-batches.ts: 500), fewer than a node could bear. */
const BATCH_MAX = 1_000;
const restreamIds = z.array(id).max(100_000).readonly();
/** Reports in one answer at most: ~300 bytes each, well under NATS's 1 MB max_payload. */
export const REPORTS_PAGE_MAX = 1_000;

/** A restream or a channel as lists show it (no secrets), with whom it belongs to, for server-sent events. */
export interface EventView {
  /** The owner of the channel (of the restream's channel): who may see it besides admins. */
  readonly ownerId: string;
  readonly view: { readonly id: string };
}

/** The node-to-node actions. Each answers only for its own node: call it with that nodeID. */
export const NODE_CALLS = {
  /** The scheduler leader's orders, checked against the store's placements (node/actors/fence.ts). */
  ensureActors: call<{ refused: string[] }>()(
    `${NODE}.ensureActors`,
    z.object({ orders: z.array(placedOrder).max(BATCH_MAX).readonly() }),
  ),
  removeActors: call<void>()(
    `${NODE}.removeActors`,
    z.object({ restreamIds: z.array(id).max(BATCH_MAX).readonly() }),
  ),
  /** Chain links: the target listens, the source pushes (node/actors/chain-ends.ts). */
  /** Chain links by name only: each end reads the link's record (port, passphrase) from the store. */
  openChain: call<void>()(`${NODE}.openChain`, chainLink),
  closeChain: call<void>()(`${NODE}.closeChain`, z.object({ channelId: id })),
  pushChain: call<void>()(`${NODE}.pushChain`, chainLink),
  unpushChain: call<void>()(`${NODE}.unpushChain`, chainLink),
  /** What this node's actors report (of the restreams asked for, or all), and its report feed's position. */
  actorReports: call<ReportSnapshot>()(
    `${NODE}.actorReports`,
    z.object({
      restreamIds: restreamIds.optional(),
      /** By page (a snapshot of thousands must stay under NATS's 1 MB max_payload): ids after `after`. */
      after: id.optional(),
      limit: z.number().int().min(1).max(REPORTS_PAGE_MAX).optional(),
    }),
  ),
  actorLogs: call<{ lines: LogLine[] }>()(`${NODE}.actorLogs`, z.object({ restreamId: id })),
  /** The channels live on this node, with codecs and stats. */
  ingests: call<IngestInfo[]>()(`${NODE}.ingests`, z.object({})),
  /** The text of this node's share of GET /metrics. */
  metrics: call<Exposition>()(`${NODE}.metrics`, z.object({})),
} as const;

/** The views server-sent events send: built once per event, filtered per client by `ownerId`. */
export const VIEW_CALLS = {
  restream: call<EventView>()("streamwell.restreams.eventView", z.object({ id })),
  channel: call<EventView>()("streamwell.channels.eventView", z.object({ id })),
} as const;

/** Every internal action: no user calls them, only Streamwell nodes (the mesh-trust middleware's list). */
export const INTERNAL_ACTIONS: ReadonlySet<string> = new Set(
  [...Object.values(NODE_CALLS), ...Object.values(VIEW_CALLS)].map((declared) => declared.name),
);

/** Calls `declared` with params its schema accepts; `nodeID` picks the node that answers. */
export function meshCall<S extends z.ZodType, R>(
  broker: ServiceBroker,
  declared: MeshCall<S, R>,
  params: z.input<S>,
  nodeID?: string,
): Promise<R> {
  return broker.call<R, z.input<S>>(declared.name, params, nodeID === undefined ? {} : { nodeID });
}

/** A served mesh call as Moleculer carries it (the schema stays in the closure: Moleculer deep-clones actions). */
export interface ServedCall {
  readonly internal: true;
  handler(ctx: Context): Promise<unknown>;
}

/**
 * The receiving side: a Moleculer action that runs `handler` with params parsed by the call's
 * schema. `internal: true` marks it for middlewares; errors leave as Streamwell's service errors.
 */
export function serve<S extends z.ZodType, R>(
  declared: MeshCall<S, R>,
  handler: (params: z.output<S>, ctx: Context) => R | Promise<R>,
): ServedCall {
  const schema = () => declared.params;
  return {
    internal: true,
    async handler(ctx: Context): Promise<R> {
      try {
        const parsed = schema().safeParse(ctx.params ?? {});
        if (!parsed.success) throw new ValidationFailedError("invalid mesh call", fieldsOf(parsed.error));
        return await handler(parsed.data, ctx);
      } catch (error) {
        throw toServiceError(error);
      }
    },
  };
}
