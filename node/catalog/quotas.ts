// Per-user quotas: how many channels a user may own, how many restreams their channels may have,
// and how many SRT ports (SRT ingests and Remote Playbacks) they may hold, so one user cannot take
// every SRT port a chain link needs. Defaults come from the config (0: no limit); an admin sets a
// user's own (PATCH /users/:id {quotas}). Admins have none.
//
// The check is atomic: before a creation writes anything, it claims room in the owner's claims
// record (`quotaclaims.<user>`) with compare-and-set, counting what exists plus what other
// creations have claimed and not finished; the claim goes once the creation is written (or has
// failed). Twenty creations at once with room for five: five pass, on any nodes. A claim left by a
// crash stops counting after a minute.
import { ForbiddenError } from "../defs/errors.js";
import { mutate } from "../store/mutate.js";
import { KeyExistsError, type Store } from "../store/store.js";
import { type ChannelRecord, keys, type QuotaKind, type RestreamRecord, type UserRecord } from "./records.js";

export type QuotaLimits = Readonly<Record<QuotaKind, number>>;

export const NO_QUOTAS: QuotaLimits = { channels: 0, restreams: 0, srtPorts: 0 };

/** How long a claim counts without its record: a creation takes far less. */
export const CLAIM_IN_FLIGHT_MS = 60_000;
/** Claims on one user's record are retried this often: a burst of creations contends for it. */
const CLAIM_ATTEMPTS = 64;

const WHAT: Record<QuotaKind, string> = {
  channels: "channels",
  restreams: "restreams",
  srtPorts: "SRT ports (SRT ingests and Remote Playbacks)",
};

/** Claimed ids of a user, by kind, with when they were claimed (ms). */
type Claims = Readonly<Record<QuotaKind, Readonly<Record<string, number>>>>;

const NO_CLAIMS: Claims = { channels: {}, restreams: {}, srtPorts: {} };

/** What the counts are made of: reads of the catalog. */
export interface QuotaSources {
  user(id: string): Promise<UserRecord>;
  channels(): Promise<ChannelRecord[]>;
  restreams(): Promise<RestreamRecord[]>;
}

export class Quotas {
  constructor(
    private readonly store: Store,
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

  /**
   * Runs `create` (which writes the record `id`) with room claimed for it under each of `kinds`;
   * ForbiddenError, before anything is written, when `ownerId` (a user, not an admin) has no room.
   */
  async within<T>(
    ownerId: string,
    kinds: readonly QuotaKind[],
    id: string,
    create: () => Promise<T>,
  ): Promise<T> {
    const owner = await this.sources.user(ownerId);
    const limits = this.limitsOf(owner);
    const limited = owner.role === "admin" ? [] : kinds.filter((kind) => limits[kind] > 0);
    if (limited.length === 0) return create();
    await this.claim(owner, limited, limits, id);
    try {
      return await create();
    } finally {
      await this.release(ownerId, limited, id);
    }
  }

  private async claim(
    owner: UserRecord,
    kinds: readonly QuotaKind[],
    limits: QuotaLimits,
    id: string,
  ): Promise<void> {
    const key = keys.quotaClaims(owner.id);
    await this.store.create(key, NO_CLAIMS).catch((error: unknown) => {
      if (!(error instanceof KeyExistsError)) throw error;
    });
    await mutate<Claims>(
      this.store,
      key,
      async (claims) => {
        const now = Date.now();
        const held = await this.held(owner.id);
        let next = claims;
        for (const kind of kinds) {
          const pending = Object.entries(claims[kind])
            .filter(([, since]) => now - since < CLAIM_IN_FLIGHT_MS)
            .map(([claimed]) => claimed);
          if (new Set([...held[kind], ...pending]).size >= limits[kind]) {
            throw new ForbiddenError(
              `quota reached: ${owner.username} may have at most ${limits[kind]} ${WHAT[kind]}; an admin can raise it`,
            );
          }
          next = { ...next, [kind]: { ...live(claims[kind], now), [id]: now } };
        }
        return next;
      },
      undefined,
      CLAIM_ATTEMPTS,
    );
  }

  private async release(ownerId: string, kinds: readonly QuotaKind[], id: string): Promise<void> {
    const now = Date.now();
    await mutate<Claims>(
      this.store,
      keys.quotaClaims(ownerId),
      (claims) => {
        let next = claims;
        for (const kind of kinds) {
          const { [id]: _released, ...rest } = live(claims[kind], now);
          next = { ...next, [kind]: rest };
        }
        return next;
      },
      undefined,
      CLAIM_ATTEMPTS,
    );
  }

  /** The ids of what the user holds now, by kind. */
  private async held(ownerId: string): Promise<Record<QuotaKind, string[]>> {
    const owned = (await this.sources.channels()).filter((channel) => channel.ownerId === ownerId);
    const ids = new Set(owned.map((channel) => channel.id));
    const restreams = (await this.sources.restreams()).filter((restream) => ids.has(restream.channelId));
    return {
      channels: owned.map((channel) => channel.id),
      restreams: restreams.map((restream) => restream.id),
      srtPorts: [
        ...owned.filter((channel) => channel.srt !== null).map((channel) => channel.id),
        ...restreams.filter((restream) => restream.kind === "remote_playback").map((restream) => restream.id),
      ],
    };
  }
}

/** The claims still young: older ones were left by a crash. */
function live(claims: Readonly<Record<string, number>>, now: number): Record<string, number> {
  return Object.fromEntries(Object.entries(claims).filter(([, since]) => now - since < CLAIM_IN_FLIGHT_MS));
}
