// Nodes an admin drains for maintenance (POST /nodes/:id/drain): `drains.<node id>` -> {since}.
// The scheduler leader places no restream there and moves what runs there to other nodes
// (scheduler/placement.ts); GET /nodes shows `draining`. Kept in the store, so a drain outlives
// the node's restart and a change of leader, until someone undrains it.
import type { Store } from "../store/store.js";
import { keys } from "./records.js";

export interface DrainRecord {
  readonly since: string;
}

export class Drains {
  constructor(private readonly store: Store) {}

  /** The ids of the nodes being drained. */
  async list(): Promise<Set<string>> {
    const entries = await this.store.list<DrainRecord>(keys.drains);
    return new Set(entries.map((entry) => entry.key.slice(keys.drains.length)));
  }

  async drain(nodeId: string, now = new Date()): Promise<void> {
    if ((await this.store.get(keys.drain(nodeId))) === undefined)
      await this.store.put(keys.drain(nodeId), { since: now.toISOString() } satisfies DrainRecord);
  }

  async undrain(nodeId: string): Promise<void> {
    await this.store.delete(keys.drain(nodeId));
  }
}
