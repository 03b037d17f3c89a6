// Saved destinations: an RTMP/RTMPS server URL (application, no key) or an SRT listener URL.
// Only admins write them; any channel reuses them with its own stream key.
//
// A destination in use cannot be deleted, and the check is atomic: a restream's creation (or a
// move to this destination) first writes its id into the destination's `uses` with
// compare-and-set, then writes the restream; the deletion checks and deletes at one revision of
// the record. So either the deletion sees the use (409), or the use's write fails on the
// missing destination (422) and no restream is written. A use whose restream does not name the
// destination counts while it is young (the restream's write may be in flight); an old one was
// left by a crash and is ignored.

import { ConflictError, NotFoundError } from "../defs/errors.js";
import type { EngineName } from "../defs/relay.js";
import { newId } from "../kit/ids.js";
import { mutate } from "../store/mutate.js";
import { RevisionMismatchError, type Store } from "../store/store.js";
import { byCreation, type DestinationRecord, keys } from "./records.js";

export interface DestinationInput {
  readonly name: string;
  readonly url: string;
  readonly insecureSkipVerify: boolean;
  /** Absent or null: the node's restreamEngine. */
  readonly engine?: EngineName | null;
  /** A platform preset's id; absent or null: none. */
  readonly preset?: string | null;
}

/** How long a use without its restream still counts: a restream's write takes far less. */
export const USE_IN_FLIGHT_MS = 60_000;
const DELETE_ATTEMPTS = 8;

export class Destinations {
  constructor(private readonly store: Store) {}

  async create(input: DestinationInput): Promise<DestinationRecord> {
    const destination: DestinationRecord = { id: newId("ds"), ...input, createdAt: new Date().toISOString() };
    await this.store.create(keys.destination(destination.id), destination);
    return destination;
  }

  async get(id: string): Promise<DestinationRecord> {
    const destination = await this.find(id);
    if (!destination) throw new NotFoundError(`destination ${id} not found`);
    return destination;
  }

  /** The destination, or undefined when there is none of that id. */
  async find(id: string): Promise<DestinationRecord | undefined> {
    const entry = await this.store.get<DestinationRecord>(keys.destination(id));
    return entry && withoutUses(entry.value);
  }

  async list(): Promise<DestinationRecord[]> {
    return (await this.store.list<DestinationRecord>(keys.destinations))
      .map((entry) => withoutUses(entry.value))
      .sort(byCreation);
  }

  async update(id: string, change: Partial<DestinationInput>): Promise<DestinationRecord> {
    const updated = await mutate<DestinationRecord>(
      this.store,
      keys.destination(id),
      (destination) => ({ ...destination, ...change }),
      () => new NotFoundError(`destination ${id} not found`),
    );
    return withoutUses(updated);
  }

  /**
   * Records that restream `restreamId` takes this destination; NotFoundError when it is gone. Uses
   * are dropped on the way once they are not needed: those older than USE_IN_FLIGHT_MS (an old
   * one's restream names the destination itself, or was never written), and those whose restream
   * `isWritten` (it names the destination itself now). Kept, they made the record grow with every
   * creation: 10,000 restreams, ~350 kB read by every view and written by every creation; and with
   * only the old ones dropped, every creation of the last minute (1,000 sequential creates: the
   * record and its parse, write and watchers grew with each, docs/decisions.md).
   * The answer is the destination as written, without its uses.
   */
  async addUse(
    id: string,
    restreamId: string,
    isWritten: (restreamId: string) => boolean,
  ): Promise<DestinationRecord> {
    const written = await mutate<DestinationRecord>(
      this.store,
      keys.destination(id),
      (destination) => {
        const now = Date.now();
        const inFlight = Object.entries(destination.uses ?? {}).filter(
          ([user, since]) => now - since < USE_IN_FLIGHT_MS && !isWritten(user),
        );
        return { ...destination, uses: { ...Object.fromEntries(inFlight), [restreamId]: now } };
      },
      () => new NotFoundError(`destination ${id} not found`),
    );
    return withoutUses(written);
  }

  /** The restream no longer takes it (deleted, moved, or its creation failed). */
  async dropUse(id: string, restreamId: string): Promise<void> {
    try {
      await mutate<DestinationRecord>(this.store, keys.destination(id), (destination) => {
        const { [restreamId]: _dropped, ...uses } = destination.uses ?? {};
        return { ...destination, uses };
      });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }

  /**
   * Deletes the destination unless it is in use: `naming(id)` lists the restreams whose record
   * names it (those from before uses were recorded too). Check and delete are one revision.
   */
  async deleteUnused(id: string, naming: (id: string) => Promise<string[]>): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const entry = await this.store.get<DestinationRecord>(keys.destination(id));
      if (!entry) throw new NotFoundError(`destination ${id} not found`);
      const named = await naming(id);
      const now = Date.now();
      const inFlight = Object.entries(entry.value.uses ?? {})
        .filter(([restreamId, since]) => !named.includes(restreamId) && now - since < USE_IN_FLIGHT_MS)
        .map(([restreamId]) => restreamId);
      const users = [...named, ...inFlight];
      if (users.length > 0) {
        throw new ConflictError(
          `destination ${id} is used by restream(s) ${users.join(", ")}: delete or change them first`,
        );
      }
      try {
        await this.store.delete(keys.destination(id), entry.revision);
        return;
      } catch (error) {
        if (!(error instanceof RevisionMismatchError) || attempt >= DELETE_ATTEMPTS) throw error;
      }
    }
  }
}

/** Callers see a destination; its uses are this file's bookkeeping. */
function withoutUses({ uses: _uses, ...destination }: DestinationRecord): DestinationRecord {
  return destination;
}
