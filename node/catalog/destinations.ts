// Saved destinations: an RTMP/RTMPS server URL (application, no key) or an SRT listener URL.
// Only admins write them; any channel reuses them with its own stream key.

import { NotFoundError } from "../defs/errors.js";
import type { EngineName } from "../defs/relay.js";
import { newId } from "../kit/ids.js";
import { mutate } from "../store/mutate.js";
import type { Store } from "../store/store.js";
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

export class Destinations {
  constructor(private readonly store: Store) {}

  async create(input: DestinationInput): Promise<DestinationRecord> {
    const destination: DestinationRecord = { id: newId("ds"), ...input, createdAt: new Date().toISOString() };
    await this.store.create(keys.destination(destination.id), destination);
    return destination;
  }

  async get(id: string): Promise<DestinationRecord> {
    const entry = await this.store.get<DestinationRecord>(keys.destination(id));
    if (!entry) throw new NotFoundError(`destination ${id} not found`);
    return entry.value;
  }

  async list(): Promise<DestinationRecord[]> {
    return (await this.store.list<DestinationRecord>(keys.destinations))
      .map((entry) => entry.value)
      .sort(byCreation);
  }

  async update(id: string, change: Partial<DestinationInput>): Promise<DestinationRecord> {
    return mutate<DestinationRecord>(
      this.store,
      keys.destination(id),
      (destination) => ({ ...destination, ...change }),
      () => new NotFoundError(`destination ${id} not found`),
    );
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.store.delete(keys.destination(id));
  }
}
