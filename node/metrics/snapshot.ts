// What a node exports at a scrape: the restreams it answers for, the channels it ingests, its
// actors and capacity. streamwell.node assembles one per scrape from the same records, actor
// reports and ingests the API serves; families.ts turns it into metric families.
//
// Who exports a restream, so that sums across nodes count each restream once: the node that
// hosts its actor, or, when no node does, the scheduler leader (stopped, awaiting_stream).
import type { DestinationRecord, RestreamRecord } from "../catalog/records.js";
import type { IngestInput } from "../defs/ingest-input.js";
import type { RestreamStatus } from "../defs/restream-status.js";
import type { IngestProtocol } from "../ingest/registry.js";

export const ACTOR_KINDS = ["restream", "playback", "chain"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface RestreamSample {
  /** The stored record: it may hold secrets, which families.ts never puts in a label. */
  readonly restream: RestreamRecord;
  /** The saved destination of a `destination` restream (undefined if it is gone). */
  readonly destination: DestinationRecord | undefined;
  /** From deriveStatus; `node` null (no actor) means the exporting node labels it. */
  readonly status: RestreamStatus;
}

export interface ChannelSample {
  readonly channelId: string;
  readonly live: boolean;
  /** Present while the channel is live on the exporting node. */
  readonly ingest: Omit<IngestSample, "channelId"> | null;
}

export interface IngestSample {
  readonly channelId: string;
  readonly protocol: IngestProtocol;
  readonly bytesIn: number;
  /** Switches to each input (primary <-> backup) since it went live here. */
  readonly switches: Readonly<Record<IngestInput, number>>;
}

export interface MetricsSnapshot {
  /** The exporting node's id. */
  readonly node: string;
  readonly restreams: readonly RestreamSample[];
  readonly channels: readonly ChannelSample[];
  readonly actors: Readonly<Record<ActorKind, number>>;
  /** config.maxRestreams: 0 means no limit. */
  readonly capacityRestreams: number;
}

/**
 * The restreams a node exports: those whose actors it hosts, and, on the scheduler leader, those
 * with no actor anywhere (`actorsAnywhere` is only needed there).
 */
export function exportedRestreams<R extends { readonly id: string }>(
  restreams: readonly R[],
  options: {
    readonly hostedHere: ReadonlySet<string>;
    readonly leader: boolean;
    readonly actorsAnywhere?: ReadonlySet<string>;
  },
): R[] {
  const { hostedHere, leader, actorsAnywhere } = options;
  return restreams.filter(
    (restream) =>
      hostedHere.has(restream.id) ||
      (leader && !hostedHere.has(restream.id) && !actorsAnywhere?.has(restream.id)),
  );
}

/**
 * The channels a node exports: its live ingests (live 1), and on the leader every other channel
 * that is live nowhere (live 0), so each channel has one streamwell_channel_live series.
 */
export function exportedChannels(
  channelIds: readonly string[],
  options: {
    readonly ingestsHere: readonly IngestSample[];
    readonly leader: boolean;
    readonly liveAnywhere?: ReadonlySet<string>;
  },
): ChannelSample[] {
  const { ingestsHere, leader, liveAnywhere } = options;
  const here = new Set(ingestsHere.map((ingest) => ingest.channelId));
  const live: ChannelSample[] = ingestsHere.map(({ channelId, ...ingest }) => ({
    channelId,
    live: true,
    ingest,
  }));
  if (!leader) return live;
  const offline = channelIds
    .filter((id) => !here.has(id) && !liveAnywhere?.has(id))
    .map((channelId) => ({ channelId, live: false, ingest: null }));
  return [...live, ...offline];
}
