// The node's SRT port range (STREAMWELL_SRT_PORTS) is shared by SRT ingest, Remote Playback and
// chain links. A port belongs to whoever created its key first, so two nodes never hand out the same.
import { ConflictError } from "../defs/errors.js";
import { KeyExistsError, type Store } from "../store/store.js";
import { keys, type SrtListenerHome } from "./records.js";

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** The node whose SRT range a port comes from, and its public host. */
export interface PortHome {
  readonly nodeId: string;
  readonly host: string;
}

export class SrtPorts {
  constructor(
    private readonly store: Store,
    private readonly range: PortRange,
    private readonly home: PortHome,
  ) {}

  /** Claims the lowest free port for `owner` (e.g. "restream:rs_x"); 409 when none is free. */
  async allocate(owner: string): Promise<SrtListenerHome> {
    for (let port = this.range.from; port <= this.range.to; port += 1) {
      try {
        await this.store.create(keys.srtPort(port), { owner });
        return { port, ...this.home };
      } catch (error) {
        if (!(error instanceof KeyExistsError)) throw error;
      }
    }
    throw new ConflictError(
      `no free SRT port in ${this.range.from}-${this.range.to}: delete a Remote Playback restream or turn off an SRT ingest, or widen STREAMWELL_SRT_PORTS`,
    );
  }

  async release(port: number): Promise<void> {
    await this.store.delete(keys.srtPort(port));
  }
}
