// What the leader's scheduler tells a node to run: an actor for a restream (with the placement's
// epoch that proves the order current) and the ends of a chain link (node/scheduler/chains.ts).
import type { Container } from "./container.js";
import type { IngestInput } from "./ingest-input.js";
import type { ActorSpec } from "./relay.js";

export interface ActorOrder {
  readonly restreamId: string;
  readonly channelId: string;
  readonly spec: ActorSpec;
  /** The node it ran on, gone from the mesh (not a stop, drain or move): node/actors/takeover.ts. */
  readonly takeoverFrom?: string;
}

/**
 * What a node is told to run: a restream under the placement of this epoch. No spec: the node
 * reads the restream from the store (so no stream key or passphrase crosses NATS in a call).
 */
export interface PlacedOrder {
  readonly restreamId: string;
  readonly channelId: string;
  readonly epoch: number;
  /** The node the restream ran on before, when that node vanished from the mesh (node/actors/takeover.ts). */
  readonly takeoverFrom?: string;
}

export interface ChainLink {
  readonly channelId: string;
  readonly sourceNodeId: string;
  readonly targetNodeId: string;
  /** What the link carries: both ends read it from here, so they always agree. */
  readonly container: Container;
  /**
   * Set on an input link: it carries the publisher of this input of a channel with a backup from
   * the node it published to (the source) into the channel's inputs on the node holding its hub
   * (the target), where it joins as that input. Absent: a link that feeds restreams on the target.
   */
  readonly input?: IngestInput;
}

export interface ChainRecord extends ChainLink {
  /** Where the source pushes: the target's public host and its port. */
  readonly host: string;
  readonly port: number;
  readonly passphrase: string;
}
