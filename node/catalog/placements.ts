// Placements: which node runs each restream's actor. The scheduler leader writes them with
// compare-and-set, so two nodes that both believe they lead cannot overwrite each other; nodes
// read them to refuse stale orders and to stop actors that were placed elsewhere.
import type { Entry, Store, Unwatch } from "../store/store.js";
import { keys, type PlacementRecord } from "./records.js";

export type PlacementEntry = Entry<PlacementRecord>;

/** A placement with its epoch (its store revision). */
export interface Placement extends PlacementRecord {
  readonly epoch: number;
}

export class Placements {
  constructor(private readonly store: Store) {}

  async list(): Promise<Map<string, PlacementEntry>> {
    const entries = await this.store.list<PlacementRecord>(keys.placements);
    return new Map(entries.map((entry) => [entry.value.restreamId, entry]));
  }

  async get(restreamId: string): Promise<Placement | undefined> {
    const entry = await this.store.get<PlacementRecord>(keys.placement(restreamId));
    return entry && { ...entry.value, epoch: entry.revision };
  }

  /**
   * Places a restream that has no placement. Throws the store's KeyExistsError when another
   * leader placed it meanwhile.
   */
  async place(record: PlacementRecord): Promise<Placement> {
    const epoch = await this.store.create(keys.placement(record.restreamId), record);
    return { ...record, epoch };
  }

  /** Removes a placement if it is still the one read. */
  async remove(current: PlacementEntry): Promise<void> {
    await this.store.delete(current.key, current.revision);
  }

  /** Every later change: the new placement, or undefined when it was removed (at `revision`). */
  watch(onChange: (restreamId: string, revision: number, placement?: Placement) => void): Unwatch {
    return this.store.watch(keys.placements, (event) => {
      if (event.op === "put") {
        const record = event.entry.value as PlacementRecord;
        onChange(record.restreamId, event.entry.revision, { ...record, epoch: event.entry.revision });
      } else onChange(event.key.slice(keys.placements.length), event.revision);
    });
  }
}
