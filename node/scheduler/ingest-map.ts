// Which node holds each live channel's ingest, as the scheduler knows it: kept current by the
// nodes' ingest events, and resynced from what every node says now (events can be lost around a
// start or an outage). A resync's answers are older than the events that arrived while it was
// asking, so those events win: `mark()` before asking, `sync(answers, mark)` after. With the node
// it keeps what a chain link from there carries (restreams/codec-rules.ts carrierContainer).
import type { Container } from "../defs/container.js";

export interface IngestAnswer {
  readonly channelId: string;
  readonly nodeId: string;
  readonly container: Container;
}

export class IngestMap {
  /** channelId -> the node holding its ingest, its links' container, and the tick it was learnt at. */
  private readonly entries = new Map<string, { nodeId: string; container: Container; tick: number }>();
  private tick = 0;

  get(channelId: string): string | undefined {
    return this.entries.get(channelId)?.nodeId;
  }

  containerOf(channelId: string): Container | undefined {
    return this.entries.get(channelId)?.container;
  }

  live(channelId: string, nodeId: string, container: Container): void {
    this.entries.set(channelId, { nodeId, container, tick: ++this.tick });
  }

  /** Ignored when the channel is live elsewhere by now (its publisher moved). Returns whether it counted. */
  offline(channelId: string, nodeId: string): boolean {
    if (this.get(channelId) !== nodeId) return false;
    this.entries.delete(channelId);
    this.tick += 1;
    return true;
  }

  /** A node left the mesh: its ingests went with it. */
  nodeLeft(nodeId: string): void {
    for (const [channelId, entry] of this.entries)
      if (entry.nodeId === nodeId) this.entries.delete(channelId);
    this.tick += 1;
  }

  /** Taken before a resync asks the nodes. */
  mark(): number {
    return this.tick;
  }

  /**
   * What the nodes said, except where an event since `mark` says otherwise. Returns whether any
   * channel's node or container changed: a resync that only confirms what events said is no work.
   */
  sync(answers: readonly IngestAnswer[], mark: number): boolean {
    const said = new Map(answers.map((answer) => [answer.channelId, answer]));
    let changed = false;
    for (const [channelId, entry] of this.entries) {
      if (entry.tick <= mark && !said.has(channelId)) {
        this.entries.delete(channelId);
        changed = true;
      }
    }
    for (const [channelId, { nodeId, container }] of said) {
      const entry = this.entries.get(channelId);
      if (entry && entry.tick > mark) continue;
      if (entry?.nodeId !== nodeId || entry.container !== container) changed = true;
      this.entries.set(channelId, { nodeId, container, tick: mark });
    }
    return changed;
  }
}
