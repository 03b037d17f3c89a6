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

describe("IngestMap with a channel's two inputs on two nodes", () => {
  it("keeps the hub where the channel went live first and links the other input to it", () => {
    const map = new IngestMap();
    map.live("a", "n2", "flv", ["backup"]);
    map.live("a", "n1", "flv", ["primary"]);
    expect(map.get("a")).toBe("n2");
    expect(map.inputLinks()).toEqual([
      { channelId: "a", sourceNodeId: "n1", targetNodeId: "n2", container: "flv", input: "primary" },
    ]);
    // the hub re-reporting (its codecs changed at a switch) keeps its feeder
    map.live("a", "n2", "flv", ["backup"]);
    expect(map.inputLinks()).toHaveLength(1);
  });

  it("drops a feeder that goes offline or leaves, and hands the hub to a feeder when the hub's node goes", () => {
    const map = new IngestMap();
    map.live("a", "n2", "flv", ["backup"]);
    map.live("a", "n1", "flv", ["primary"]);
    expect(map.offline("a", "n1")).toBe(true);
    expect(map.inputLinks()).toEqual([]);
    map.live("a", "n3", "flv", ["primary"]);
    map.nodeLeft("n2");
    expect(map.get("a")).toBe("n3");
    expect(map.inputLinks()).toEqual([]);
  });

  it("lets the same input on another node take the channel over (a publisher that reconnected there)", () => {
    const map = new IngestMap();
    map.live("a", "n2", "flv", ["backup"]);
    map.live("a", "n1", "flv", ["backup"]);
    expect(map.get("a")).toBe("n1");
    expect(map.inputLinks()).toEqual([]);
  });

  it("rebuilds hub and feeders from a resync's answers, oldest first", () => {
    const map = new IngestMap();
    const changed = map.sync(
      [
        { channelId: "a", nodeId: "n2", container: "flv", inputs: ["backup"] },
        { channelId: "a", nodeId: "n1", container: "flv", inputs: ["primary"] },
      ],
      map.mark(),
    );
    expect(changed).toBe(true);
    expect(map.get("a")).toBe("n2");
    expect(map.inputLinks().map((link) => link.sourceNodeId)).toEqual(["n1"]);
    expect(
      map.sync(
        [
          { channelId: "a", nodeId: "n2", container: "flv", inputs: ["backup"] },
          { channelId: "a", nodeId: "n1", container: "flv", inputs: ["primary"] },
        ],
        map.mark(),
      ),
    ).toBe(false);
  });
});
