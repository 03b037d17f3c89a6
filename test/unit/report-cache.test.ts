import { describe, expect, it } from "vitest";
import { type ActorReport, IDLE_STATS } from "../../node/defs/restream-status.js";
import { ReportCache, type SnapshotPage } from "../../node/restreams/report-cache.js";

const streaming = (node: string): ActorReport => ({
  state: "streaming",
  error: null,
  node,
  stats: IDLE_STATS,
});
const waiting = (node: string): ActorReport => ({
  state: "awaiting_stream",
  error: null,
  node,
  stats: IDLE_STATS,
});

/** One page of a node's snapshot. */
function page(
  boot: string,
  seq: number,
  reports: Record<string, ActorReport>,
  after: string | null = null,
): SnapshotPage {
  return { boot, seq, reports, after, next: null };
}

/** A cache whose resync requests are recorded, and a synced n1 at boot "b1", seq 3. */
function cacheWithN1() {
  const resyncs: string[] = [];
  const cache = new ReportCache({ resync: (nodeId) => resyncs.push(nodeId) });
  cache.fetching("n1");
  cache.snapshot("n1", [page("b1", 3, { rs_a: waiting("n1") })]);
  return { cache, resyncs };
}

describe("ReportCache", () => {
  it("follows a node's events in order, without reading it again", () => {
    const { cache, resyncs } = cacheWithN1();
    cache.event("n1", { boot: "b1", seq: 4, restreamId: "rs_a", report: streaming("n1") });
    cache.event("n1", { boot: "b1", seq: 5, restreamId: "rs_b", report: waiting("n1") });
    cache.event("n1", { boot: "b1", seq: 6, restreamId: "rs_b", report: null });
    expect(cache.get("rs_a")).toEqual({ nodeId: "n1", report: streaming("n1") });
    expect(cache.get("rs_b")).toBeUndefined();
    expect(cache.synced("n1")).toBe(true);
    expect(resyncs).toEqual([]);
  });

  it("reads a node again when an event is missing, and when the node restarted", () => {
    const { cache, resyncs } = cacheWithN1();
    cache.event("n1", { boot: "b1", seq: 5, restreamId: "rs_a", report: streaming("n1") }); // 4 lost
    expect(cache.synced("n1")).toBe(false);
    expect(cache.get("rs_a")?.report.state).toBe("streaming"); // kept until the snapshot
    expect(resyncs).toEqual(["n1"]);
    cache.fetching("n1");
    cache.snapshot("n1", [page("b1", 5, { rs_a: streaming("n1") })]);
    cache.event("n1", { boot: "b2", seq: 1, restreamId: "rs_c", report: waiting("n1") });
    expect(resyncs).toEqual(["n1", "n1"]);
  });

  it("applies events held during a snapshot over it when newer, and drops older ones", () => {
    const resyncs: string[] = [];
    const cache = new ReportCache({ resync: (nodeId) => resyncs.push(nodeId) });
    cache.fetching("n1");
    cache.event("n1", { boot: "b1", seq: 7, restreamId: "rs_a", report: waiting("n1") }); // before the snapshot
    cache.event("n1", { boot: "b1", seq: 9, restreamId: "rs_a", report: null }); // after it
    cache.snapshot("n1", [page("b1", 8, { rs_a: streaming("n1"), rs_b: streaming("n1") })]);
    expect(cache.get("rs_a")).toBeUndefined();
    expect(cache.get("rs_b")?.report.state).toBe("streaming");
    expect(cache.synced("n1")).toBe(true);
    expect(resyncs).toEqual([]);
  });

  it("forgets a node that left, and shows the newest report while a restream moves", () => {
    const { cache } = cacheWithN1();
    cache.fetching("n2");
    cache.snapshot("n2", [page("c1", 1, {})]);
    cache.event("n2", { boot: "c1", seq: 2, restreamId: "rs_a", report: streaming("n2") });
    expect(cache.get("rs_a")?.nodeId).toBe("n2"); // n1's older report of it is still held
    cache.left("n2");
    expect(cache.get("rs_a")?.nodeId).toBe("n1");
    cache.left("n1");
    expect(cache.get("rs_a")).toBeUndefined();
    expect(cache.synced("n1")).toBe(false);
  });

  it("keeps the events it holds when the snapshot fails, and stays unsynced", () => {
    const resyncs: string[] = [];
    const cache = new ReportCache({ resync: (nodeId) => resyncs.push(nodeId) });
    cache.fetching("n1");
    cache.event("n1", { boot: "b1", seq: 1, restreamId: "rs_a", report: streaming("n1") });
    cache.failed("n1");
    expect(cache.get("rs_a")?.report.state).toBe("streaming");
    expect(cache.synced("n1")).toBe(false);
  });

  it("reads a snapshot in pages: a held event applies only where it is newer than its restream's page", () => {
    const resyncs: string[] = [];
    const cache = new ReportCache({ resync: (nodeId) => resyncs.push(nodeId) });
    cache.fetching("n1");
    // Page 1 (ids up to rs_b) at seq 10; then rs_a and rs_c change (11, 12); page 2 (after rs_b) at seq 12.
    cache.event("n1", { boot: "b1", seq: 11, restreamId: "rs_a", report: streaming("n1") });
    cache.event("n1", { boot: "b1", seq: 12, restreamId: "rs_c", report: streaming("n1") });
    cache.snapshot("n1", [
      page("b1", 10, { rs_a: waiting("n1"), rs_b: waiting("n1") }),
      page("b1", 12, { rs_c: streaming("n1") }, "rs_b"),
    ]);
    expect(cache.get("rs_a")?.report.state).toBe("streaming"); // newer than page 1
    expect(cache.get("rs_c")?.report.state).toBe("streaming");
    expect(cache.synced("n1")).toBe(true);
    cache.event("n1", { boot: "b1", seq: 13, restreamId: "rs_c", report: null });
    expect(cache.get("rs_c")).toBeUndefined();
    expect(resyncs).toEqual([]);
  });

  it("reads a snapshot again when the events held during it have a gap", () => {
    const resyncs: string[] = [];
    const cache = new ReportCache({ resync: (nodeId) => resyncs.push(nodeId) });
    cache.fetching("n1");
    cache.event("n1", { boot: "b1", seq: 12, restreamId: "rs_a", report: streaming("n1") }); // 11 lost
    cache.snapshot("n1", [page("b1", 10, {}), page("b1", 12, {}, "rs_a")]);
    expect(cache.synced("n1")).toBe(false);
    expect(resyncs).toEqual(["n1"]);
  });
});
