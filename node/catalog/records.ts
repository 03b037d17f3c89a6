// What the store holds for each resource, and under which key. These are the desired state and
// the secrets; runtime facts (who is live, what an actor does) never land here.

import type { OutputProfile } from "../defs/output.js";
import type { EngineName } from "../defs/relay.js";
import type { Role } from "../defs/role.js";
import type { Schedule } from "./schedule.js";

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly passwordHash: string;
  readonly createdAt: string;
  /** What an admin set for this user; a kind absent or null takes the node's default (quotas.ts). */
  readonly quotas?: QuotaOverrides;
}

export type QuotaKind = "channels" | "restreams" | "srtPorts";
export type QuotaOverrides = Readonly<Partial<Record<QuotaKind, number | null>>>;

export interface SessionRecord {
  readonly userId: string;
  readonly expiresAt: string;
}

/** An API token for automation: only the SHA-256 of the token is kept (shown once, at creation). */
export interface ApiTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly createdAt: string;
  /** null: it never expires. */
  readonly expiresAt: string | null;
}

/**
 * An SRT listener's port: it belongs to one node (from that node's STREAMWELL_SRT_PORTS), only that
 * node listens on it, and the URLs users get name that node's public host. It stays put when the
 * channel's publisher moves, so the URL keeps working.
 */
export interface SrtListenerHome {
  readonly port: number;
  readonly nodeId: string;
  readonly host: string;
}

export interface SrtListenerSecret extends SrtListenerHome {
  readonly passphrase: string;
}

export interface ChannelRecord {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly streamKey: string;
  /** The backup encoder's stream key while `backup` is on; null: off (absent: a store before schema version 1). */
  readonly backupStreamKey?: string | null;
  /** SRT ingest listener; allocated while `srtIngest` is on. */
  readonly srt: SrtListenerSecret | null;
  /** The backup encoder's SRT listener, while both `srtIngest` and `backup` are on; absent (older records): none. */
  readonly srtBackup?: SrtListenerSecret | null;
  readonly createdAt: string;
}

export interface DestinationRecord {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly insecureSkipVerify: boolean;
  /** The restream engine for this destination; null or absent (saved before engines could be chosen): the node's. */
  readonly engine?: EngineName | null;
  /** The platform preset it was made from (node/restreams/presets.ts): its rules give restreams warnings. */
  readonly preset?: string | null;
  readonly createdAt: string;
  /**
   * Restreams that took this destination, by id, with when (ms): written with compare-and-set
   * before the restream, so a deletion racing a restream's creation sees it (destinations.ts).
   */
  readonly uses?: Readonly<Record<string, number>>;
}

export type Desired = "started" | "stopped";

/** What a push does when its channel loses every input: end its session and wait, or hold it with the slate. */
export const SOURCE_LOSS = ["wait", "slate"] as const;
export type SourceLoss = (typeof SOURCE_LOSS)[number];
export const DEFAULT_SLATE_SECONDS = 300;

/**
 * Where the scheduler put a restream's actor. Written with compare-and-set by the scheduler
 * leader. Its store revision is the placement's epoch: the store's one counter only grows, so an
 * epoch never repeats, even after a delete and a re-create, and a node can tell a current order
 * from a stale one. A node runs an actor only while this names it.
 */
export interface PlacementRecord {
  readonly restreamId: string;
  readonly channelId: string;
  readonly nodeId: string;
  /** Hash of the relay spec the actor was given: a change of key or destination re-places. */
  readonly fingerprint: string;
}

interface RestreamBase {
  readonly id: string;
  readonly channelId: string;
  readonly name: string;
  readonly desired: Desired;
  /** Times still to apply (node/catalog/schedule.ts); absent or null: none. */
  readonly schedule?: Schedule | null;
  /** What it sends (pushes only); absent: the channel as it comes (copy). */
  readonly output?: OutputProfile;
  /**
   * Counts the record's writes (1 at creation, one more per change, in the same compare-and-set
   * write), so of two views of one restream the larger revision is the newer; absent (saved before
   * revisions): 0.
   */
  readonly revision?: number;
  /** When the channel loses every input (pushes only); absent: "wait". */
  readonly onSourceLoss?: SourceLoss;
  /** How long a slate holds the session; absent: DEFAULT_SLATE_SECONDS. */
  readonly slateSeconds?: number;
  readonly createdAt: string;
}

export type RestreamRecord = RestreamBase &
  (
    | { readonly kind: "destination"; readonly destinationId: string; readonly streamKey: string }
    | { readonly kind: "srt_push"; readonly url: string }
    | ({
        readonly kind: "remote_playback";
        /** Callers served at once; absent: DEFAULT_MAX_CALLERS (node/defs/relay.ts). */
        readonly maxCallers?: number;
      } & SrtListenerSecret)
  );

export type RestreamKind = RestreamRecord["kind"];

export interface Features {
  readonly restreaming: boolean;
  readonly srt: boolean;
}

export const keys = {
  user: (id: string) => `users.${id}`,
  users: "users.",
  username: (name: string) => `usernames.${name.toLowerCase()}`,
  /** Who is an admin: the one record every role change writes with compare-and-set (admins.ts). */
  admins: "admins",
  session: (tokenHash: string) => `sessions.${tokenHash}`,
  sessions: "sessions.",
  apiToken: (id: string) => `apitokens.${id}`,
  apiTokens: "apitokens.",
  channel: (id: string) => `channels.${id}`,
  channels: "channels.",
  destination: (id: string) => `destinations.${id}`,
  destinations: "destinations.",
  restream: (id: string) => `restreams.${id}`,
  restreams: "restreams.",
  features: "features",
  srtPort: (port: number) => `ports.srt.${port}`,
  placement: (restreamId: string) => `placements.${restreamId}`,
  placements: "placements.",
  drain: (nodeId: string) => `drains.${nodeId}`,
  drains: "drains.",
  chain: (channelId: string, targetNodeId: string) => `chains.${channelId}.${targetNodeId}`,
  chains: "chains.",
  /** A node's fence lease, rewritten every 250 ms (node/actors/lease.ts): run-time, not a user's record. */
  lease: (nodeId: string) => `leases.${nodeId}`,
  webhook: (id: string) => `webhooks.${id}`,
  webhooks: "webhooks.",
  /** Room a user's creations in flight have claimed against their quotas (quotas.ts). */
  quotaClaims: (userId: string) => `quotaclaims.${userId}`,
  /** The stream key index: a keyed hash of a channel's stream key -> its id (channels.ts). */
  streamKey: (digest: string) => `streamkeys.${digest}`,
  streamKeys: "streamkeys.",
} as const;

/** Lists show resources in the order they were made. */
export function byCreation(a: { readonly createdAt: string }, b: { readonly createdAt: string }): number {
  // ISO 8601 times in UTC compare as plain strings; localeCompare, with its collation, sorted 5,000
  // in 45 ms against 17 ms so (docs/decisions.md).
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
}
