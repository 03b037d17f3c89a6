// Per-user quotas: how many channels a user may own, how many restreams their channels may have,
// and how many SRT ports (SRT ingests and Remote Playbacks) they may hold, so one user cannot take
// every SRT port a chain link needs. Defaults come from the config (0: no limit); an admin sets a
// user's own (PATCH /users/:id {quotas}). Admins have none. The check counts, then creates: two
// creations at the same instant may pass one over the quota, which is acceptable for a limit on
// resources, not a security boundary of its own.
import { ForbiddenError } from "../defs/errors.js";
import type { ChannelRecord, QuotaKind, RestreamRecord, UserRecord } from "./records.js";

export type QuotaLimits = Readonly<Record<QuotaKind, number>>;

export const NO_QUOTAS: QuotaLimits = { channels: 0, restreams: 0, srtPorts: 0 };

const WHAT: Record<QuotaKind, string> = {
  channels: "channels",
  restreams: "restreams",
  srtPorts: "SRT ports (SRT ingests and Remote Playbacks)",
};

/** What the counts are made of: reads of the catalog. */
export interface QuotaSources {
  user(id: string): Promise<UserRecord>;
  channels(): Promise<ChannelRecord[]>;
  restreams(): Promise<RestreamRecord[]>;
}

export class Quotas {
  constructor(
    private readonly sources: QuotaSources,
    private readonly defaults: QuotaLimits = NO_QUOTAS,
  ) {}

  /** A user's limits: theirs where an admin set one, else the default; 0 is no limit. */
  limitsOf(user: UserRecord): QuotaLimits {
    const own = user.quotas ?? {};
    return {
      channels: own.channels ?? this.defaults.channels,
      restreams: own.restreams ?? this.defaults.restreams,
      srtPorts: own.srtPorts ?? this.defaults.srtPorts,
    };
  }

  /** Throws ForbiddenError when `ownerId` (a user, not an admin) has no room for one more `kind`. */
  async assertRoom(ownerId: string, kind: QuotaKind): Promise<void> {
    const owner = await this.sources.user(ownerId);
    if (owner.role === "admin") return;
    const limit = this.limitsOf(owner)[kind];
    if (limit === 0) return;
    const used = await this.count(ownerId, kind);
    if (used >= limit) {
      throw new ForbiddenError(
        `quota reached: ${owner.username} may have at most ${limit} ${WHAT[kind]}; an admin can raise it`,
      );
    }
  }

  private async count(ownerId: string, kind: QuotaKind): Promise<number> {
    const owned = (await this.sources.channels()).filter((channel) => channel.ownerId === ownerId);
    if (kind === "channels") return owned.length;
    const ids = new Set(owned.map((channel) => channel.id));
    const restreams = (await this.sources.restreams()).filter((restream) => ids.has(restream.channelId));
    if (kind === "restreams") return restreams.length;
    const playbacks = restreams.filter((restream) => restream.kind === "remote_playback").length;
    return playbacks + owned.filter((channel) => channel.srt !== null).length;
  }
}
