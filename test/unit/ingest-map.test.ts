import { describe, expect, it } from "vitest";
import { IngestMap } from "../../node/scheduler/ingest-map.js";

describe("IngestMap", () => {
  it("lets events that arrived while a resync was asking win over its answers", () => {
    const map = new IngestMap();
    map.live("a", "n1", "flv");
    const mark = map.mark();
    map.offline("a", "n1");
    map.live("a", "n3", "flv"); // the publisher moved while the resync was out
    map.live("b", "n2", "flv");
    map.sync([{ channelId: "a", nodeId: "n1", container: "flv" }], mark); // answers gathered before the move
    expect(map.get("a")).toBe("n3");
    expect(map.get("b")).toBe("n2");
  });

  it("takes the answers for everything older than the mark, forgetting what nobody holds", () => {
    const map = new IngestMap();
    map.live("a", "n1", "flv");
    map.live("b", "n2", "flv");
    map.sync(
      [
        { channelId: "b", nodeId: "n3", container: "flv" },
        { channelId: "c", nodeId: "n1", container: "flv" },
      ],
      map.mark(),
    );
    expect([map.get("a"), map.get("b"), map.get("c")]).toEqual([undefined, "n3", "n1"]);
  });

  it("ignores a late offline from the node the publisher left, and drops a departed node's ingests", () => {
    const map = new IngestMap();
    map.live("a", "n1", "flv");
    map.live("a", "n2", "flv");
    expect(map.offline("a", "n1")).toBe(false);
    map.nodeLeft("n2");
    expect(map.get("a")).toBeUndefined();
  });
});
