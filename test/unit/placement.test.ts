import { describe, expect, it } from "vitest";
import { chooseNodes, type PlacementRequest } from "../../node/scheduler/placement.js";

const request = (restreamId: string, ingestNodeId: string, currentNodeId?: string): PlacementRequest => ({
  restreamId,
  channelId: "ch_1",
  ingestNodeId,
  currentNodeId,
});

describe("chooseNodes", () => {
  it("places nothing on a draining node: its restreams go to the least-loaded other one, and stay when all drain", () => {
    const nodes = [
      { id: "n1", maxRestreams: 0, draining: true },
      { id: "n2", maxRestreams: 4 },
      { id: "n3", maxRestreams: 2 },
    ];
    const chosen = chooseNodes(
      [request("a", "n1", "n1"), request("b", "n1"), request("c", "n2", "n1")],
      nodes,
    );
    expect(Object.fromEntries(chosen)).toEqual({ a: "n2", b: "n3", c: "n2" });
    const allDraining = nodes.map((node) => ({ ...node, draining: true }));
    expect([...chooseNodes([request("a", "n1", "n1")], allDraining).values()]).toEqual(["n1"]);
  });

  it("runs every restream on the ingest node when it has no limit", () => {
    const chosen = chooseNodes(
      [request("a", "n1"), request("b", "n1"), request("c", "n1")],
      [
        { id: "n1", maxRestreams: 0 },
        { id: "n2", maxRestreams: 0 },
      ],
    );
    expect([...chosen.values()]).toEqual(["n1", "n1", "n1"]);
  });

  it("past the ingest node's limit, places on the least-loaded node", () => {
    const nodes = [
      { id: "n1", maxRestreams: 2 },
      { id: "n2", maxRestreams: 4 },
      { id: "n3", maxRestreams: 2 },
    ];
    const chosen = chooseNodes(
      ["a", "b", "c", "d", "e"].map((id) => request(id, "n1")),
      nodes,
    );
    expect(Object.fromEntries(chosen)).toEqual({ a: "n1", b: "n1", c: "n2", d: "n3", e: "n2" });
  });

  it("keeps a restream where it runs while that node has room, so a new one never moves it", () => {
    const nodes = [
      { id: "n1", maxRestreams: 1 },
      { id: "n2", maxRestreams: 1 },
    ];
    const chosen = chooseNodes([request("new", "n1"), request("old", "n1", "n2")], nodes);
    expect(Object.fromEntries(chosen)).toEqual({ new: "n1", old: "n2" });
  });

  it("moves a restream off a node that left, and when every node is full picks the least loaded", () => {
    const chosen = chooseNodes(
      [request("a", "n1", "gone"), request("b", "n1"), request("c", "n1")],
      [
        { id: "n1", maxRestreams: 1 },
        { id: "n2", maxRestreams: 1 },
      ],
    );
    expect(Object.fromEntries(chosen)).toEqual({ a: "n1", b: "n2", c: "n1" });
  });
});
