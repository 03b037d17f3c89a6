// The actor reports a restream's view shows, read from this node's ReportCache
// (node/restreams/report-cache.ts) instead of asking every node per request: the cache follows
// the nodes' `restream.report` events, reads a node's snapshot when it joins, when its feed shows
// a gap, and once more a heartbeat timeout after it joins (events it sent before it knew this
// node), and forgets a node that leaves. Counters (bitrate, bytes, uptime, speed) change without
// events, so the restreams a view shows streaming are asked of the node that runs them, only them:
// no call at all for restreams that are stopped, waiting or failing, one per hosting node else.
import type { ServiceBroker } from "moleculer";
import type { ActorReport } from "../node/defs/restream-status.js";
import { ReportCache, type SnapshotPage } from "../node/restreams/report-cache.js";
import type { RestreamReportEvent } from "./events.js";
import { HEARTBEAT_TIMEOUT_MS } from "./heartbeats.js";
import { meshCall, NODE_CALLS, REPORTS_PAGE_MAX } from "./mesh-calls.js";
import { streamwellNodes } from "./mesh-view.js";

export class MeshReports {
  private readonly cache = new ReportCache({ resync: (nodeId) => void this.resync(nodeId) });
  private readonly fetching = new Map<string, Promise<void>>();
  private readonly rereads = new Set<NodeJS.Timeout>();

  constructor(private readonly broker: ServiceBroker) {}

  /** A node's `restream.report` event. */
  event({ nodeID, boot, seq, restreamId, report }: RestreamReportEvent): void {
    this.cache.event(nodeID, { boot, seq, restreamId, report });
  }

  /** A node joined: its reports now, and again once it surely knows this node (and sends it events). */
  joined(nodeId: string): void {
    // Brokers of the mesh without streamwell.node (a gateway) host no actors.
    const reread = () => {
      if (streamwellNodes(this.broker).includes(nodeId)) void this.resync(nodeId);
    };
    reread();
    const later = setTimeout(() => {
      this.rereads.delete(later);
      reread();
    }, HEARTBEAT_TIMEOUT_MS);
    later.unref();
    this.rereads.add(later);
  }

  left(nodeId: string): void {
    this.cache.left(nodeId);
  }

  stop(): void {
    for (const reread of this.rereads) clearTimeout(reread);
    this.rereads.clear();
  }

  /** restreamId -> its actor's report, for the restreams asked; counters fresh for those streaming. */
  async reportsOf(restreamIds: readonly string[]): Promise<Map<string, ActorReport>> {
    const nodes = streamwellNodes(this.broker);
    await Promise.all(nodes.filter((nodeId) => !this.cache.synced(nodeId)).map((id) => this.resync(id)));
    const reports = new Map<string, ActorReport>();
    const streamingOn = new Map<string, string[]>();
    for (const restreamId of restreamIds) {
      const cached = this.cache.get(restreamId);
      if (!cached || !nodes.includes(cached.nodeId)) continue;
      reports.set(restreamId, cached.report);
      if (cached.report.state !== "streaming") continue;
      const ids = streamingOn.get(cached.nodeId);
      if (ids) ids.push(restreamId);
      else streamingOn.set(cached.nodeId, [restreamId]);
    }
    const asks = [...streamingOn].flatMap(([nodeId, ids]) =>
      Array.from({ length: Math.ceil(ids.length / REPORTS_PAGE_MAX) }, (_, i) => [
        nodeId,
        ids.slice(i * REPORTS_PAGE_MAX, (i + 1) * REPORTS_PAGE_MAX),
      ]),
    ) as [string, string[]][];
    await Promise.all(
      asks.map(async ([nodeId, ids]) => {
        try {
          const fresh = await meshCall(this.broker, NODE_CALLS.actorReports, { restreamIds: ids }, nodeId);
          for (const id of ids) {
            const report = fresh.reports[id];
            if (report) reports.set(id, report);
          }
        } catch (error) {
          this.broker.logger.warn(`node ${nodeId} did not answer actorReports: ${String(error)}`);
        }
      }),
    );
    return reports;
  }

  /** Reads the node's snapshot; one read at a time per node (a gap found applying it reads again). */
  private resync(nodeId: string): Promise<void> {
    const current = this.fetching.get(nodeId);
    if (current) return current;
    this.cache.fetching(nodeId);
    const read = this.read(nodeId);
    this.fetching.set(nodeId, read);
    return read;
  }

  private async read(nodeId: string): Promise<void> {
    let pages: SnapshotPage[] | undefined;
    try {
      await Promise.resolve(); // resync() records this read before it can end
      pages = await this.pages(nodeId);
    } catch (error) {
      this.broker.logger.warn(`node ${nodeId} did not answer actorReports: ${String(error)}`);
    }
    this.fetching.delete(nodeId);
    try {
      if (!pages) this.cache.failed(nodeId);
      else if (streamwellNodes(this.broker).includes(nodeId)) this.cache.snapshot(nodeId, pages);
      else this.cache.left(nodeId);
    } catch (error) {
      // An answer of another shape (a node of an older version): no cache of it, reads go on.
      this.cache.failed(nodeId);
      this.broker.logger.warn(`node ${nodeId}'s reports were unreadable: ${String(error)}`);
    }
  }

  /** The node's snapshot, page after page. */
  private async pages(nodeId: string): Promise<SnapshotPage[]> {
    const pages: SnapshotPage[] = [];
    let after: string | undefined;
    do {
      const params = after === undefined ? { limit: REPORTS_PAGE_MAX } : { after, limit: REPORTS_PAGE_MAX };
      const answer = await meshCall(this.broker, NODE_CALLS.actorReports, params, nodeId);
      pages.push({ ...answer, after: after ?? null });
      after = answer.next ?? undefined;
    } while (after !== undefined);
    return pages;
  }
}
