// Nodes an admin drains for maintenance (POST /nodes/:id/drain): `drains.<node id>` -> {since}.
// The scheduler leader places no restream there and moves what runs there to other nodes
// (scheduler/placement.ts); GET /nodes shows `draining`. Kept in the store, so a drain outlives
// the node's restart and a change of leader, until someone undrains it.
import type { Entry, Store } from "../store/store.js";
import { StoreMirror } from "../store/store-mirror.js";
import { keys } from "./records.js";

export interface DrainRecord {
  readonly since: string;
}

export class Drains {
  private readonly store: StoreMirror;

  constructor(store: Store) {
    this.store = new StoreMirror(store, keys.drains);
  }

  /** The ids of the nodes being drained, as the store holds them now. */
  async list(): Promise<Set<string>> {
    return nodeIds(await this.store.list<DrainRecord>(keys.drains));
  }

  /** The same from this node's memory (store-mirror.ts): what the scheduler's rounds read. */
  async known(): Promise<Set<string>> {
    return nodeIds(await this.store.listMirrored<DrainRecord>());
  }

  async drain(nodeId: string, now = new Date()): Promise<void> {
    if ((await this.store.get(keys.drain(nodeId))) === undefined)
      await this.store.put(keys.drain(nodeId), { since: now.toISOString() } satisfies DrainRecord);
  }

  async undrain(nodeId: string): Promise<void> {
    await this.store.delete(keys.drain(nodeId));
  }
}

function nodeIds(entries: readonly Entry<DrainRecord>[]): Set<string> {
  return new Set(entries.map((entry) => entry.key.slice(keys.drains.length)));
}
