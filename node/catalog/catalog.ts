// The catalog: every resource's repository plus the rules that span resources (a destination
// in use cannot go, a channel takes its restreams with it, a feature switch stops what needs it).
// Services call this; it knows nothing of Moleculer, HTTP or callers' roles.
import { ConflictError, FeatureDisabledError, NotFoundError, ValidationFailedError } from "../defs/errors.js";
import type { Role } from "../defs/role.js";
import { HistoryLog } from "../history/history-log.js";
import { newId, sha256Hex } from "../kit/ids.js";
import type { Store } from "../store/store.js";
import { parseDestinationUrl } from "../urls/destination-url.js";
import { type TargetPolicy, TargetRefusedError } from "../urls/target-policy.js";
import { ApiTokens, isApiToken } from "./api-tokens.js";
import { type ChannelChange, Channels, type NewChannel, type StreamKeyDigest } from "./channels.js";
import { Destinations } from "./destinations.js";
import { Drains } from "./drains.js";
import { FeatureSwitches, requiredFeatures } from "./features.js";
import { Placements } from "./placements.js";
import { type QuotaLimits, Quotas } from "./quotas.js";
import {
  type ChannelRecord,
  type Desired,
  type DestinationRecord,
  type Features,
  keys,
  type QuotaKind,
  type RestreamRecord,
} from "./records.js";
import { type NewRestream, type RestreamChange, Restreams } from "./restreams.js";
import { Sessions } from "./sessions.js";
import { type PortHome, type PortRange, SrtPorts } from "./srt-ports.js";
import { Users } from "./users.js";
import { Webhooks } from "./webhooks.js";

/** A new restream as callers give it: the name is optional. */
export type NewRestreamInput = NewRestream extends infer R
  ? R extends { name: string }
    ? Omit<R, "name"> & { name?: string }
    : never
  : never;

const DEFAULT_NAMES: Record<RestreamRecord["kind"], string> = {
  destination: "Restream",
  srt_push: "SRT Push",
  remote_playback: "Remote Playback",
};

/** A restream just written, with the destination it takes (none for SRT Push and Remote Playback). */
export interface CreatedRestream {
  readonly restream: RestreamRecord;
  readonly destination: DestinationRecord | undefined;
}

/** What a channel-wide start or stop did: the restreams it changed, and those it left alone. */
export interface BulkOutcome {
  readonly changed: RestreamRecord[];
  readonly skipped: {
    readonly id: string;
    readonly code: "feature_disabled" | "validation_failed";
    readonly message: string;
  }[];
}

export interface CatalogOptions {
  readonly srtPorts: PortRange;
  /** This node: SRT ports it allocates (SRT ingest, Remote Playback) are its own. */
  readonly home: PortHome;
  readonly sessionTtlMs: number;
  /**
   * The stream key index's hash, keyed by the node's secret key (runtime.ts). Catalogs built
   * without one (unit tests, the mesh benchmark's reader) index by plain SHA-256.
   */
  readonly streamKeyDigest?: StreamKeyDigest;
  /** Per-user quotas' defaults (config); none: no limits. */
  readonly quotas?: QuotaLimits;
  /** Where SRT Push may send (config); none: anywhere (unit tests). */
  readonly targetPolicy?: TargetPolicy;
}

export class Catalog {
  readonly users: Users;
  readonly sessions: Sessions;
  readonly apiTokens: ApiTokens;
  readonly channels: Channels;
  readonly destinations: Destinations;
  readonly restreams: Restreams;
  readonly features: FeatureSwitches;
  readonly placements: Placements;
  readonly drains: Drains;
  readonly quotas: Quotas;
  readonly history: HistoryLog;
  readonly webhooks: Webhooks;

  constructor(
    store: Store,
    private readonly options: CatalogOptions,
  ) {
    const ports = new SrtPorts(store, options.srtPorts, options.home);
    this.users = new Users(store);
    this.sessions = new Sessions(store, options.sessionTtlMs);
    this.apiTokens = new ApiTokens(store);
    this.channels = new Channels(store, ports, options.streamKeyDigest ?? sha256Hex);
    this.destinations = new Destinations(store);
    this.restreams = new Restreams(store, ports);
    this.features = new FeatureSwitches(store);
    this.placements = new Placements(store);
    this.drains = new Drains(store);
    this.quotas = new Quotas(
      store,
      {
        user: (id) => this.users.get(id),
        channels: () => this.channels.list(),
        restreams: () => this.restreams.list(),
      },
      options.quotas,
    );
    this.webhooks = new Webhooks(store);
    this.history = new HistoryLog(store, async (subject) => {
      const key = subject.startsWith("ch_") ? keys.channel(subject) : keys.restream(subject);
      return (await store.get(key)) !== undefined;
    });
  }

  /** Creates a restream; without a name it is named after its destination or its kind. */
  async createRestream(channelId: string, input: NewRestreamInput): Promise<RestreamRecord> {
    return (await this.addRestream(await this.channels.get(channelId), input)).restream;
  }

  /**
   * Creates a restream on a channel the caller has just read; the answer holds the destination as
   * the restream's use of it was recorded, so the caller's view of the new restream reads nothing
   * more. The destination is read only by that compare-and-set write (a restream whose feature is
   * off drops its use again), not once before it as well, and the switches beside it: each read is
   * a round trip on a mesh (docs/decisions.md, "Where a REST create's time goes").
   */
  async addRestream(channel: ChannelRecord, input: NewRestreamInput): Promise<CreatedRestream> {
    if (input.kind === "srt_push") await this.assertTarget(input.url);
    if (input.kind !== "destination") await this.assertFeatures(input);
    const id = newId("rs");
    const kinds: QuotaKind[] = input.kind === "remote_playback" ? ["restreams", "srtPorts"] : ["restreams"];
    return this.quotas.within(channel.ownerId, kinds, id, async () => {
      if (input.kind !== "destination") return this.written(channel, input, id, undefined);
      // The switches are read while the use is written: two round trips on a mesh at once.
      const [destination, features] = await Promise.all([
        this.takeDestination(input.destinationId, id),
        this.features.get(),
      ]);
      try {
        assertFeaturesOn(features, input, destination);
        return await this.written(channel, input, id, destination);
      } catch (error) {
        await this.destinations.dropUse(destination.id, id);
        throw error;
      }
    });
  }

  /** Writes the new restream, named after its destination or its kind when it has no name. */
  private async written(
    channel: ChannelRecord,
    input: NewRestreamInput,
    id: string,
    destination: DestinationRecord | undefined,
  ): Promise<CreatedRestream> {
    const name = input.name ?? destination?.name ?? DEFAULT_NAMES[input.kind];
    const restream = await this.restreams.create(channel.id, { ...input, name } as NewRestream, id);
    return { restream, destination };
  }

  /** Creates a channel within its owner's quotas (channels, and an SRT port for SRT ingest). */
  async createChannel(input: NewChannel): Promise<ChannelRecord> {
    const id = newId("ch");
    const kinds: QuotaKind[] = input.srtIngest ? ["channels", "srtPorts"] : ["channels"];
    return this.quotas.within(input.ownerId, kinds, id, () => this.channels.create(input, id));
  }

  /** Changes a channel; turning SRT ingest on takes an SRT port of its owner's quota. */
  async updateChannel(id: string, change: ChannelChange): Promise<ChannelRecord> {
    const channel = await this.channels.get(id);
    if (!change.srtIngest || channel.srt !== null) return this.channels.update(id, change);
    return this.quotas.within(channel.ownerId, ["srtPorts"], id, () => this.channels.update(id, change));
  }

  async updateRestream(id: string, change: RestreamChange): Promise<RestreamRecord> {
    const restream = await this.restreams.get(id);
    assertFieldsFit(restream, change);
    if (change.url !== undefined) await this.assertTarget(change.url);
    const from = restream.kind === "destination" ? restream.destinationId : undefined;
    const moveTo = from !== undefined && change.destinationId !== from ? change.destinationId : undefined;
    if (change.destinationId !== undefined) {
      const destination = await this.destinationField(change.destinationId);
      if (restream.desired === "started") await this.assertFeatures(restream, destination);
    }
    if (moveTo !== undefined) await this.takeDestination(moveTo, id);
    let updated: RestreamRecord;
    try {
      updated = await this.restreams.update(id, change);
    } catch (error) {
      if (moveTo !== undefined) await this.destinations.dropUse(moveTo, id);
      throw error;
    }
    if (moveTo !== undefined && from !== undefined) await this.destinations.dropUse(from, id);
    return updated;
  }

  async startRestream(id: string): Promise<RestreamRecord> {
    const restream = await this.restreams.get(id);
    await this.assertFeatures(restream, await this.destinationOf(restream));
    if (restream.kind === "srt_push") await this.assertTarget(restream.url); // a name may resolve elsewhere now
    return this.restreams.setDesired(id, "started");
  }

  /**
   * Starts or stops every restream of a channel that is not so already. A restream a feature switch
   * keeps off is left stopped and named in `skipped`; the others still start.
   */
  async setChannelDesired(channelId: string, desired: Desired): Promise<BulkOutcome> {
    await this.channels.get(channelId);
    const outcome: BulkOutcome = { changed: [], skipped: [] };
    for (const restream of await this.restreams.listByChannel(channelId)) {
      if (restream.desired === desired) continue;
      try {
        outcome.changed.push(
          desired === "started"
            ? await this.startRestream(restream.id)
            : await this.restreams.setDesired(restream.id, "stopped"),
        );
      } catch (error) {
        if (error instanceof FeatureDisabledError) {
          outcome.skipped.push({ id: restream.id, code: "feature_disabled", message: error.message });
        } else if (error instanceof ValidationFailedError) {
          outcome.skipped.push({ id: restream.id, code: "validation_failed", message: error.message });
        } else throw error;
      }
    }
    return outcome;
  }

  /** Applies the restream's schedule at `now`: the record when it changed (see Restreams.applySchedule). */
  async applySchedule(id: string, now: number): Promise<RestreamRecord | undefined> {
    const restream = await this.restreams.get(id);
    const mayStart = await this.assertFeatures(restream, await this.destinationOf(restream)).then(
      () => true,
      (error: unknown) => {
        if (error instanceof FeatureDisabledError) return false;
        throw error;
      },
    );
    return this.restreams.applySchedule(id, now, mayStart);
  }

  /** Deletes the restream and its history. */
  async deleteRestream(id: string): Promise<void> {
    const restream = await this.restreams.delete(id);
    if (restream.kind === "destination") await this.destinations.dropUse(restream.destinationId, id);
    await this.history.remove(id);
  }

  async deleteChannel(id: string): Promise<void> {
    await this.channels.get(id);
    for (const restream of await this.restreams.listByChannel(id)) await this.deleteRestream(restream.id);
    await this.channels.delete(id);
    await this.history.remove(id);
  }

  /**
   * The restreams that push to a destination. A `viewer` who is not an admin sees only those of
   * their own channels: other users' restream ids are not theirs to know.
   */
  async usedBy(
    destinationId: string,
    viewer?: { readonly id: string; readonly role: Role },
  ): Promise<string[]> {
    const using = (await this.restreams.list()).filter(
      (r) => r.kind === "destination" && r.destinationId === destinationId,
    );
    if (!viewer || viewer.role === "admin") return using.map((r) => r.id);
    const own = new Set((await this.channels.list()).filter((c) => c.ownerId === viewer.id).map((c) => c.id));
    return using.filter((r) => own.has(r.channelId)).map((r) => r.id);
  }

  /** Deletes a destination no restream uses (409 otherwise), atomically (destinations.ts). */
  async deleteDestination(id: string): Promise<void> {
    await this.destinations.deleteUnused(id, (destinationId) => this.usedBy(destinationId));
  }

  /** The user id behind a bearer credential: a login session's token or an API token. */
  async resolveToken(token: string): Promise<string | undefined> {
    return isApiToken(token) ? this.apiTokens.resolve(token) : this.sessions.resolve(token);
  }

  /** Deletes a user who owns no channels, with their sessions and API tokens; the answer is their credentials' hashes. */
  async deleteUser(id: string): Promise<string[]> {
    const owned = (await this.channels.list()).filter((channel) => channel.ownerId === id);
    if (owned.length > 0) {
      throw new ConflictError(
        `user ${id} owns channel(s) ${owned.map((c) => c.id).join(", ")}: delete them first`,
      );
    }
    await this.users.delete(id);
    return [...(await this.sessions.revokeUser(id)), ...(await this.apiTokens.revokeUser(id))];
  }

  /** Saves the switches, then stops every started restream that needs one now off. */
  async setFeatures(
    change: Partial<Features>,
    onStopped: (restream: RestreamRecord) => void = () => {},
  ): Promise<Features> {
    const features = await this.features.set(change);
    for (const restream of await this.restreams.list()) {
      if (restream.desired !== "started") continue;
      const needs = requiredFeatures(restream, await this.destinationOf(restream));
      if (needs.some((name) => !features[name]))
        onStopped(await this.restreams.setDesired(restream.id, "stopped"));
    }
    return features;
  }

  async destinationOf(restream: RestreamRecord): Promise<DestinationRecord | undefined> {
    if (restream.kind !== "destination") return undefined;
    return this.destinations.find(restream.destinationId);
  }

  private async assertFeatures(
    restream: Pick<RestreamRecord, "kind">,
    destination?: DestinationRecord,
  ): Promise<void> {
    assertFeaturesOn(await this.features.get(), restream, destination);
  }

  /** SRT Push sends where a user says: only to hosts the target policy lets through (422 on `url`). */
  private async assertTarget(url: string): Promise<void> {
    try {
      await this.options.targetPolicy?.check(parseDestinationUrl(url).host);
    } catch (error) {
      if (!(error instanceof TargetRefusedError)) throw error;
      throw new ValidationFailedError("SRT Push target refused", { url: error.message });
    }
  }

  /**
   * Records the restream's use of the destination before the restream is written (destinations.ts);
   * the answer is the destination as that write found it.
   */
  private async takeDestination(destinationId: string, restreamId: string): Promise<DestinationRecord> {
    const isWritten = (id: string) => this.restreams.isKnown(id);
    return this.destinations.addUse(destinationId, restreamId, isWritten).catch((error: unknown) => {
      throw error instanceof NotFoundError ? unknownDestination(destinationId) : error;
    });
  }

  private async destinationField(id: string): Promise<DestinationRecord> {
    return this.destinations.get(id).catch((error: unknown) => {
      throw error instanceof NotFoundError ? unknownDestination(id) : error;
    });
  }
}

function assertFeaturesOn(
  features: Features,
  restream: Pick<RestreamRecord, "kind">,
  destination?: DestinationRecord,
): void {
  const off = requiredFeatures(restream, destination).filter((name) => !features[name]);
  if (off.length > 0)
    throw new FeatureDisabledError(`the ${off.join(" and ")} feature is turned off by an admin`);
}

function unknownDestination(id: string): ValidationFailedError {
  return new ValidationFailedError("unknown destination", { destinationId: `no destination ${id}` });
}

function assertFieldsFit(restream: RestreamRecord, change: RestreamChange): void {
  const allowed: Record<RestreamRecord["kind"], readonly (keyof RestreamChange)[]> = {
    destination: ["name", "destinationId", "streamKey", "schedule", "output", "onSourceLoss", "slateSeconds"],
    srt_push: ["name", "url", "schedule", "output", "onSourceLoss", "slateSeconds"],
    remote_playback: ["name", "schedule", "maxCallers"],
  };
  const fields: Record<string, string> = {};
  for (const field of Object.keys(change) as (keyof RestreamChange)[]) {
    if (!allowed[restream.kind].includes(field))
      fields[field] = `a ${restream.kind} restream has no ${field}`;
  }
  if (Object.keys(fields).length > 0)
    throw new ValidationFailedError("fields do not fit this restream's kind", fields);
}
