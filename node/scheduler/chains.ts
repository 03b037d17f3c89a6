// Chain links. When the scheduler runs a restream on a node other than the one holding its
// channel's ingest, that node gets the channel over one SRT link per (channel, node): a chain
// listener on the target node (a port from the target's own SRT range, a passphrase per link)
// and a chain push on the ingest node. The leader keeps the links in the store, so a new leader
// knows them, opens what is wanted, moves a link's source when the publisher moves, and tears
// down what nothing uses any more. A link carries the channel in the container its codecs allow
// (restreams/codec-rules.ts carrierContainer); a link whose container changes (the publisher came
// back with HEVC) is opened again in the new one, at both ends. An input link (ChainLink.input) runs
// the other way round: from the node a backup channel's other input published to, into its hub node.

import { keys } from "../catalog/records.js";
import { type PortRange, SrtPorts } from "../catalog/srt-ports.js";
import type { ChainLink, ChainRecord } from "../defs/orders.js";
import { newPassphrase } from "../kit/ids.js";
import type { Entry, Store } from "../store/store.js";

export interface ChainNode {
  readonly publicHost: string;
  readonly srtPorts: PortRange;
}

export interface ChainParent {
  /** A node's address and SRT range; undefined when it is not in the mesh. */
  node(nodeId: string): ChainNode | undefined;
  /** The target listens for the link (idempotent). */
  openChain(targetNodeId: string, link: ChainLink): Promise<void>;
  closeChain(targetNodeId: string, channelId: string): Promise<void>;
  /** The source pushes the channel to the link (idempotent). */
  pushChain(sourceNodeId: string, link: ChainLink): Promise<void>;
  unpushChain(sourceNodeId: string, link: ChainLink): Promise<void>;
  warn(details: Record<string, unknown>, message: string): void;
}

const PREFIX = keys.chains;
const keyOf = (link: ChainLink) => keys.chain(link.channelId, link.targetNodeId);

export class ChainLinks {
  /** Links this leader has opened and pushed, by key (a new leader does it all again: idempotent). */
  private readonly delivered = new Map<string, ChainLink>();
  /** Calls to nodes that failed in the current reconcile (logged; a later round retries them). */
  private failures = 0;

  constructor(
    private readonly store: Store,
    private readonly parent: ChainParent,
  ) {}

  /**
   * Makes the links in the store, and on the nodes, exactly `wanted`. Resolves false when a call
   * to a node failed (logged): the scheduler then tries again later.
   */
  async reconcile(wanted: readonly ChainLink[]): Promise<boolean> {
    this.failures = 0;
    const want = new Map(wanted.map((link) => [keyOf(link), link]));
    const existing = await this.store.list<ChainRecord>(PREFIX);
    for (const entry of existing) {
      const link = want.get(entry.key);
      want.delete(entry.key);
      if (!link) {
        await this.tearDown(entry);
        continue;
      }
      const { sourceNodeId, container, input } = entry.value;
      const changed =
        link.sourceNodeId !== sourceNodeId || link.container !== container || link.input !== input;
      const record = changed ? await this.change(entry, link) : entry.value;
      if (!this.delivered.has(entry.key)) await this.deliver(entry.key, record);
    }
    for (const [key, link] of want) {
      const record = await this.create(link);
      if (record) await this.deliver(key, record);
    }
    return this.failures === 0;
  }

  /** Forgets deliveries (a new leadership, a node that came back empty): the next round repeats them. */
  redeliver(match: (link: ChainLink) => boolean): void {
    for (const [key, link] of this.delivered) if (match(link)) this.delivered.delete(key);
  }

  private async create(link: ChainLink): Promise<ChainRecord | undefined> {
    const target = this.parent.node(link.targetNodeId);
    if (!target) return undefined;
    const ports = new SrtPorts(this.store, target.srtPorts, {
      nodeId: link.targetNodeId,
      host: target.publicHost,
    });
    const { host, port } = await ports.allocate(`chain:${link.channelId}:${link.targetNodeId}`);
    const record: ChainRecord = { ...link, host, port, passphrase: newPassphrase() };
    try {
      await this.store.create(keyOf(link), record);
      return record;
    } catch (error) {
      await ports.release(port);
      throw error;
    }
  }

  private async deliver(key: string, record: ChainRecord): Promise<void> {
    try {
      // By name only: the ends read port and passphrase from the store, so no secret crosses NATS.
      const { channelId, sourceNodeId, targetNodeId, container, input } = record;
      const link: ChainLink = { channelId, sourceNodeId, targetNodeId, container, ...(input && { input }) };
      await this.parent.openChain(targetNodeId, link);
      await this.parent.pushChain(sourceNodeId, link);
      this.delivered.set(key, record);
    } catch (error) {
      this.failures += 1;
      this.parent.warn(
        { err: error, channelId: record.channelId, targetNode: record.targetNodeId },
        "could not open chain link",
      );
    }
  }

  /**
   * A new source (the publisher moved) stops pushing from the old one; a new container is
   * delivered again, and both ends restart in it (ChainEnds compares what they run with the record).
   */
  private async change(entry: Entry<ChainRecord>, link: ChainLink): Promise<ChainRecord> {
    const old = entry.value;
    if (link.sourceNodeId !== old.sourceNodeId)
      await this.quietly(old.sourceNodeId, () => this.parent.unpushChain(old.sourceNodeId, old));
    const { host, port, passphrase } = old;
    const record: ChainRecord = { ...link, host, port, passphrase };
    await this.store.update(entry.key, record, entry.revision);
    this.delivered.delete(entry.key);
    return record;
  }

  private async tearDown(entry: Entry<ChainRecord>): Promise<void> {
    const link = entry.value;
    await this.quietly(link.sourceNodeId, () => this.parent.unpushChain(link.sourceNodeId, link));
    await this.quietly(link.targetNodeId, () => this.parent.closeChain(link.targetNodeId, link.channelId));
    await this.store.delete(entry.key, entry.revision);
    await this.store.delete(keys.srtPort(link.port));
    this.delivered.delete(entry.key);
  }

  /** A call to a node that is gone is skipped; one that fails is logged (the next round retries). */
  private async quietly(nodeId: string, call: () => Promise<void>): Promise<void> {
    if (!this.parent.node(nodeId)) return;
    await call().catch((error: unknown) => {
      this.failures += 1;
      this.parent.warn({ err: error, targetNode: nodeId }, "chain link call failed");
    });
  }
}
