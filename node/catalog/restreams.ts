// Restreams: what a user asked for (kind, target, key, started or stopped). The observed state
// comes from actors at run time; see node/defs/restream-status.ts.
import { NotFoundError } from "../defs/errors.js";
import type { OutputProfile } from "../defs/output.js";
import { newId, newPassphrase } from "../kit/ids.js";
import { mutate } from "../store/mutate.js";
import type { Store } from "../store/store.js";
import { StoreMirror } from "../store/store-mirror.js";
import { byCreation, type Desired, keys, type RestreamRecord, type SourceLoss } from "./records.js";
import { dueStep, type Schedule } from "./schedule.js";
import type { SrtPorts } from "./srt-ports.js";

export type NewRestream = (
  | {
      readonly kind: "destination";
      readonly name: string;
      readonly destinationId: string;
      readonly streamKey: string;
    }
  | { readonly kind: "srt_push"; readonly name: string; readonly url: string }
  | { readonly kind: "remote_playback"; readonly name: string; readonly maxCallers?: number }
) & {
  readonly schedule?: Schedule | null;
  readonly output?: OutputProfile;
  readonly onSourceLoss?: SourceLoss;
  readonly slateSeconds?: number;
};

export interface RestreamChange {
  readonly name?: string;
  readonly destinationId?: string;
  readonly streamKey?: string;
  readonly url?: string;
  readonly schedule?: Schedule | null;
  readonly output?: OutputProfile;
  readonly maxCallers?: number;
  readonly onSourceLoss?: SourceLoss;
  readonly slateSeconds?: number;
}

export class Restreams {
  /** Every write goes through the mirror, so this node's lists show its own writes at once. */
  private readonly store: StoreMirror;

  constructor(
    store: Store,
    private readonly ports: SrtPorts,
  ) {
    this.store = new StoreMirror(store, keys.restreams);
  }

  /** `id`: given when the restream's use of a destination was recorded first (catalog.ts). */
  async create(channelId: string, input: NewRestream, id = newId("rs")): Promise<RestreamRecord> {
    const base = {
      id,
      channelId,
      desired: "stopped" as const,
      revision: 1,
      createdAt: new Date().toISOString(),
    };
    const restream: RestreamRecord =
      input.kind === "remote_playback"
        ? {
            ...base,
            ...input,
            ...(await this.ports.allocate(`restream:${base.id}`)),
            passphrase: newPassphrase(),
          }
        : { ...base, ...input };
    try {
      await this.store.create(keys.restream(restream.id), restream);
    } catch (error) {
      await this.releasePort(restream);
      throw error;
    }
    return restream;
  }

  async get(id: string): Promise<RestreamRecord> {
    const entry = await this.store.get<RestreamRecord>(keys.restream(id));
    if (!entry) throw new NotFoundError(`restream ${id} not found`);
    return entry.value;
  }

  async list(): Promise<RestreamRecord[]> {
    return (await this.store.list<RestreamRecord>(keys.restreams))
      .map((entry) => entry.value)
      .sort(byCreation);
  }

  async listByChannel(channelId: string): Promise<RestreamRecord[]> {
    return (await this.list()).filter((restream) => restream.channelId === channelId);
  }

  /**
   * Every restream as this node knows it, from memory (store-mirror.ts): what the scheduler
   * leader's rounds read. A round runs on each change the same change feed brings, after the
   * mirror has it (the feed calls its watchers in turn, and a round reads after an await), so a
   * round never misses a change for long; listing the store instead cost every round a KV list and
   * the opening of every record's sealed fields (docs/decisions.md).
   */
  async known(): Promise<RestreamRecord[]> {
    return (await this.store.listMirrored<RestreamRecord>()).map(({ value }) => value).sort(byCreation);
  }

  /**
   * A channel's restreams as this node knows them, from memory (store-mirror.ts): what the API
   * shows. This node's writes are in it at once, other nodes' as soon as the change feed brings
   * them. Rules that must see every record (deleting a channel) use listByChannel.
   */
  async shownForChannel(channelId: string): Promise<RestreamRecord[]> {
    return (await this.store.listMirrored<RestreamRecord>())
      .flatMap(({ value }) => (value.channelId === channelId ? [value] : []))
      .sort(byCreation);
  }

  /** Whether this node knows the restream is written (from memory: false until the memory is loaded). */
  isKnown(id: string): boolean {
    return this.store.holds(keys.restream(id));
  }

  /** Applies only the fields the restream's kind has; the caller has checked they fit. */
  async update(id: string, change: RestreamChange): Promise<RestreamRecord> {
    return this.write(id, (restream) => ({ ...restream, ...change }) as RestreamRecord);
  }

  async setDesired(id: string, desired: Desired): Promise<RestreamRecord> {
    return this.write(id, (restream) => ({ ...restream, desired }));
  }

  /**
   * Applies what the schedule has due at `now` (see schedule.ts), in one compare-and-set write;
   * undefined when nothing is due. A start that `mayStart` refuses (a feature switch is off) is
   * dropped from the schedule, the restream left as it is.
   */
  async applySchedule(id: string, now: number, mayStart: boolean): Promise<RestreamRecord | undefined> {
    if (dueStep((await this.get(id)).schedule, now).desired === undefined) return undefined;
    return this.write(id, (restream) => {
      const { desired, rest } = dueStep(restream.schedule, now);
      const next = desired === "started" && !mayStart ? restream.desired : (desired ?? restream.desired);
      return { ...restream, desired: next, schedule: rest };
    });
  }

  /** Deletes the restream; the answer is what it was. */
  async delete(id: string): Promise<RestreamRecord> {
    const restream = await this.get(id);
    await this.store.delete(keys.restream(id));
    await this.releasePort(restream);
    return restream;
  }

  /** A compare-and-set change that counts one more revision (records.ts). */
  private write(id: string, change: (restream: RestreamRecord) => RestreamRecord): Promise<RestreamRecord> {
    return mutate<RestreamRecord>(
      this.store,
      keys.restream(id),
      (restream) => ({ ...change(restream), revision: (restream.revision ?? 0) + 1 }),
      () => new NotFoundError(`restream ${id} not found`),
    );
  }

  private async releasePort(restream: RestreamRecord): Promise<void> {
    if (restream.kind === "remote_playback") await this.ports.release(restream.port);
  }
}
