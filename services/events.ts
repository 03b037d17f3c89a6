// Names and payloads of the broker events Streamwell services exchange. Runtime facts travel
// as events; desired state lives in the store.
import type { ChannelCodecs, IngestStats } from "../node/defs/codecs.js";
import type { IngestInput } from "../node/defs/ingest-input.js";
import type { ActorReport } from "../node/defs/restream-status.js";
import type { FeedPosition } from "../node/restreams/report-cache.js";

export const EVENTS = {
  /** A channel's publisher is live on a node. */
  ingestLive: "streamwell.ingest.live",
  /** A channel's publisher left a node. */
  ingestOffline: "streamwell.ingest.offline",
  /** An actor's report changed; `report: null` when the actor is gone. */
  restreamReport: "streamwell.restream.report",
  /** Something a user sees of a restream or a channel changed (for server-sent events): ResourceChanged. */
  restreamChanged: "streamwell.restream.changed",
  channelChanged: "streamwell.channel.changed",
  /**
   * Login sessions or API tokens ended (logout, password change, user or token deleted): whatever
   * a holder of one keeps open (server-sent event streams) closes. Payload: CredentialsRevoked.
   */
  credentialsRevoked: "streamwell.auth.revoked",
} as const;

/** The SHA-256 (hex) of each revoked token, as `sha256Hex(token)` of node/kit/ids.ts computes it. */
export interface CredentialsRevoked {
  readonly tokenHashes: readonly string[];
}

export interface ResourceChanged {
  readonly id: string;
  /** Set when the resource was deleted: whose it was, so only they (and admins) hear of it. */
  readonly deleted?: { readonly ownerId: string };
}

export interface IngestLive {
  readonly channelId: string;
  readonly nodeID: string;
  readonly codecs: ChannelCodecs;
  /**
   * A channel with a backup: the inputs whose publishers are on that node. A node holding another
   * input of the channel feeds it over an input link rather than giving way (feedsHub).
   */
  readonly inputs?: readonly IngestInput[];
}

export interface IngestOffline {
  readonly channelId: string;
  readonly nodeID: string;
}

/** `boot` and `seq` number the node's events, so a cache of reports sees one it missed. */
export interface RestreamReportEvent extends FeedPosition {
  readonly restreamId: string;
  readonly nodeID: string;
  readonly report: ActorReport | null;
}

/** What streamwell.node.ingests answers per live channel. */
export interface IngestInfo extends IngestLive {
  readonly stats: IngestStats;
  readonly since: string;
  /** The input on air (primary or backup); null while none is yet. */
  readonly input: IngestInput | null;
}
