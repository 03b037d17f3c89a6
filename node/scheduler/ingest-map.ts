// Which node holds each live channel's ingest, as the scheduler knows it: kept current by the
// nodes' ingest events, and resynced from what every node says now (events can be lost around a
// start or an outage). A resync's answers are older than the events that arrived while it was
// asking, so those events win: `mark()` before asking, `sync(answers, mark)` after. With the node
// it keeps what a chain link from there carries (restreams/codec-rules.ts carrierContainer).
//
// A channel with a backup may have its two inputs published to two nodes. The node that held the
// channel first keeps its hub (its restreams stay where they are); the other is a feeder, whose
// input an input link carries to the hub (`inputLinks`). When the hub's node goes, a feeder takes
// the channel over. The same input on a second node is a publisher that reconnected there: that
// node takes the channel, as without a backup.
import type { Container } from "../defs/container.js";
import { feedsHub, type IngestInput } from "../defs/ingest-input.js";
import type { ChainLink } from "../defs/orders.js";

export interface IngestAnswer {
  readonly channelId: string;
  readonly nodeId: string;
  readonly container: Container;
  /** The inputs whose publishers are on that node (a channel with a backup). */
  readonly inputs?: readonly IngestInput[];
}

/** A node holding a channel's ingest, or one of its inputs. */
interface Holder {
  readonly nodeId: string;
  readonly container: Container;
  readonly inputs?: readonly IngestInput[];
}

/** The hub's node, the nodes feeding it an input, and the tick this was learnt at. */
interface Entry extends Holder {
  readonly feeders: readonly Holder[];
  readonly tick: number;
}

export class IngestMap {
  private readonly entries = new Map<string, Entry>();
  private tick = 0;

  get(channelId: string): string | undefined {
    return this.entries.get(channelId)?.nodeId;
  }

  containerOf(channelId: string): Container | undefined {
    return this.entries.get(channelId)?.container;
  }

  live(channelId: string, nodeId: string, container: Container, inputs?: readonly IngestInput[]): void {
    this.tick += 1;
    const holder = { nodeId, container, ...(inputs && { inputs }) };
    this.entries.set(channelId, admit(this.entries.get(channelId), holder, this.tick));
  }

  /** Ignored when the channel is live elsewhere by now (its publisher moved). Returns whether it counted. */
  offline(channelId: string, nodeId: string): boolean {
    const entry = this.entries.get(channelId);
    if (!entry || (entry.nodeId !== nodeId && !entry.feeders.some((feeder) => feeder.nodeId === nodeId)))
      return false;
    this.tick += 1;
    this.without(channelId, entry, nodeId);
    return true;
  }

  /** A node left the mesh: its ingests went with it (a feeder of its hubs takes each over). */
  nodeLeft(nodeId: string): void {
    this.tick += 1;
    for (const [channelId, entry] of this.entries) this.without(channelId, entry, nodeId);
  }

  /**
   * One input link per feeder: from the node its publisher is on to the hub's node. (A feeder
   * holding both inputs, beside a hub left with none of its own, sends what it has as its first.)
   */
  inputLinks(): ChainLink[] {
    return [...this.entries].flatMap(([channelId, hub]) =>
      hub.feeders.flatMap(({ nodeId, inputs }) =>
        inputs?.[0] === undefined
          ? []
          : [
              {
                channelId,
                sourceNodeId: nodeId,
                targetNodeId: hub.nodeId,
                container: "flv",
                input: inputs[0],
              },
            ],
      ),
    );
  }

  /** Taken before a resync asks the nodes. */
  mark(): number {
    return this.tick;
  }

  /**
   * What the nodes said (every node's answer, oldest ingest first), except where an event since
   * `mark` says otherwise. Returns whether any channel's nodes or container changed: a resync
   * that only confirms what events said is no work.
   */
  sync(answers: readonly IngestAnswer[], mark: number): boolean {
    const said = new Map<string, Entry>();
    for (const { channelId, ...holder } of answers)
      said.set(channelId, admit(said.get(channelId), holder, mark));
    let changed = false;
    for (const [channelId, entry] of this.entries) {
      if (entry.tick <= mark && !said.has(channelId)) {
        this.entries.delete(channelId);
        changed = true;
      }
    }
    for (const [channelId, entry] of said) {
      const held = this.entries.get(channelId);
      if (held && held.tick > mark) continue;
      if (!held || shape(held) !== shape(entry)) changed = true;
      this.entries.set(channelId, entry);
    }
    return changed;
  }

  /** The channel without `nodeId`: a feeder dropped, or the hub gone (its first feeder takes over). */
  private without(channelId: string, entry: Entry, nodeId: string): void {
    const feeders = entry.feeders.filter((feeder) => feeder.nodeId !== nodeId);
    if (entry.nodeId !== nodeId) {
      if (feeders.length !== entry.feeders.length)
        this.entries.set(channelId, { ...entry, feeders, tick: this.tick });
      return;
    }
    const [next, ...rest] = feeders;
    if (next) this.entries.set(channelId, { ...next, feeders: rest, tick: this.tick });
    else this.entries.delete(channelId);
  }
}

/**
 * `holder` reports the channel live: it feeds the hub when it holds another input than the hub's
 * node (feedsHub), else it holds the hub from now on (keeping the feeders that still feed it).
 */
function admit(entry: Entry | undefined, holder: Holder, tick: number): Entry {
  if (entry && entry.nodeId !== holder.nodeId && feedsHub(entry.inputs, holder.inputs)) {
    const feeders = [...entry.feeders.filter((feeder) => feeder.nodeId !== holder.nodeId), holder];
    return { ...entry, feeders, tick };
  }
  const feeders = (entry?.feeders ?? []).filter(
    (feeder) => feeder.nodeId !== holder.nodeId && feedsHub(holder.inputs, feeder.inputs),
  );
  return { ...holder, feeders, tick };
}

/** What a sync compares: the hub's node and container, and the feeders' nodes and inputs. */
function shape({ nodeId, container, feeders }: Entry): string {
  return JSON.stringify([nodeId, container, feeders.map((feeder) => [feeder.nodeId, feeder.inputs])]);
}
