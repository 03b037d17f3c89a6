// What every node's actors report, kept on each node that serves the API, so that a restream's
// view or a channel's list reads a map instead of asking every node (issue 17). It is fed by the
// nodes' `restream.report` events; each node numbers its events (`seq`, from 1 for each `boot` of
// the node), so a lost event shows as a gap and the node's reports are read again whole (a
// snapshot: pages of its reports by id, each with the number of the node's last event then).
// Events that arrive while a snapshot is on its way are held and applied over it when they are
// newer than the page that holds their restream. This relies on what both transporters give:
// a node's events and answers reach another node in the order it sent them.
//
// Per node: unsynced --resync()--> fetching --snapshot()--> synced --gap, new boot--> unsynced;
// a node that leaves the mesh takes its reports with it (left()).
import type { ActorReport } from "../defs/restream-status.js";

/** Where a node's report feed stands: the node's boot and the number of its last event. */
export interface FeedPosition {
  readonly boot: string;
  readonly seq: number;
}

/** One report event: `report: null` when the actor is gone. */
export interface ReportEntry extends FeedPosition {
  readonly restreamId: string;
  readonly report: ActorReport | null;
}

/** Some of a node's reports at one position of its feed (the answer of streamwell.node.actorReports). */
export interface ReportSnapshot extends FeedPosition {
  readonly reports: Readonly<Record<string, ActorReport>>;
  /** Asked by page: the last id of this page when more may follow, else null. */
  readonly next: string | null;
}

/** One page of a node's snapshot: its reports of the ids after `after` (sorted), up to the next page's. */
export interface SnapshotPage extends ReportSnapshot {
  readonly after: string | null;
}

/** A cached report and the node whose actor made it. */
export interface CachedReport {
  readonly nodeId: string;
  readonly report: ActorReport;
}

interface Held {
  readonly report: ActorReport;
  /** When it was learnt (a counter), so the newest wins while a restream moves between nodes. */
  readonly order: number;
}

interface NodeFeed {
  position: FeedPosition | null;
  synced: boolean;
  readonly reports: Map<string, Held>;
  /** Events held while a snapshot is fetched; null when none is. */
  pending: ReportEntry[] | null;
}

export interface ReportCacheParent {
  /** The node's feed has a gap (or was never read): fetch its snapshot (see fetching/snapshot). */
  resync(nodeId: string): void;
}

export class ReportCache {
  private readonly feeds = new Map<string, NodeFeed>();
  private learnt = 0;

  constructor(private readonly parent: ReportCacheParent) {}

  /** A node's report event. */
  event(nodeId: string, entry: ReportEntry): void {
    const feed = this.feed(nodeId);
    if (feed.pending) {
      feed.pending.push(entry);
      return;
    }
    const position = feed.position;
    if (feed.synced && position?.boot === entry.boot && entry.seq <= position.seq) return; // seen
    this.apply(feed, entry);
    if (feed.synced && position?.boot === entry.boot && entry.seq === position.seq + 1) {
      feed.position = { boot: entry.boot, seq: entry.seq };
      return;
    }
    // A gap, or a node restarted (new boot), or one never read: the event is kept, the rest is read again.
    feed.synced = false;
    this.parent.resync(nodeId);
  }

  /** A snapshot of the node is on its way: events meanwhile are held. */
  fetching(nodeId: string): void {
    this.feed(nodeId).pending ??= [];
  }

  /**
   * The node's snapshot arrived (its pages in order): it replaces the node's reports, then held
   * events apply where they are newer than the page of their restream.
   */
  snapshot(nodeId: string, pages: readonly SnapshotPage[]): void {
    const feed = this.feed(nodeId);
    const [first, last] = [pages[0], pages.at(-1)];
    if (!first || !last || pages.some((page) => page.boot !== first.boot)) {
      this.failed(nodeId); // the node restarted while it was read
      this.parent.resync(nodeId);
      return;
    }
    const held = [
      ...new Map(
        (feed.pending ?? []).filter((e) => e.boot === first.boot && e.seq > first.seq).map((e) => [e.seq, e]),
      ).values(),
    ].sort((a, b) => a.seq - b.seq);
    feed.pending = null;
    feed.reports.clear();
    for (const page of pages)
      for (const [restreamId, report] of Object.entries(page.reports))
        this.apply(feed, { restreamId, report });
    const contiguous = held.every((entry, i) => entry.seq === first.seq + 1 + i);
    for (const entry of held)
      if (!contiguous || entry.seq > pageOf(pages, entry.restreamId).seq) this.apply(feed, entry);
    feed.position = { boot: first.boot, seq: Math.max(last.seq, held.at(-1)?.seq ?? 0) };
    feed.synced = contiguous;
    if (!contiguous) this.parent.resync(nodeId);
  }

  /** The snapshot could not be read: the node stays unsynced (read again at the next need). */
  failed(nodeId: string): void {
    const feed = this.feed(nodeId);
    for (const entry of feed.pending ?? []) this.apply(feed, entry);
    feed.pending = null;
    feed.synced = false;
  }

  /** The node left the mesh: its actors' reports are gone with it. */
  left(nodeId: string): void {
    this.feeds.delete(nodeId);
  }

  /** Whether the node's reports are complete (a snapshot and every event since). */
  synced(nodeId: string): boolean {
    return this.feeds.get(nodeId)?.synced ?? false;
  }

  /** The restream's report, from the node that reported it last. */
  get(restreamId: string): CachedReport | undefined {
    let found: (Held & { nodeId: string }) | undefined;
    for (const [nodeId, feed] of this.feeds) {
      const held = feed.reports.get(restreamId);
      if (held && (!found || held.order > found.order)) found = { ...held, nodeId };
    }
    return found && { nodeId: found.nodeId, report: found.report };
  }

  private apply(feed: NodeFeed, { restreamId, report }: Pick<ReportEntry, "restreamId" | "report">): void {
    if (report) feed.reports.set(restreamId, { report, order: ++this.learnt });
    else feed.reports.delete(restreamId);
  }

  private feed(nodeId: string): NodeFeed {
    let feed = this.feeds.get(nodeId);
    if (!feed) {
      feed = { position: null, synced: false, reports: new Map(), pending: null };
      this.feeds.set(nodeId, feed);
    }
    return feed;
  }
}

/** The page whose id range holds `restreamId` (pages sorted by `after`, the first's null). */
function pageOf(pages: readonly SnapshotPage[], restreamId: string): SnapshotPage {
  let found = pages[0] as SnapshotPage;
  for (const page of pages) if (page.after === null || page.after < restreamId) found = page;
  return found;
}
