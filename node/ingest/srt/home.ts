// Which node runs a channel's SRT ingest listener. The one place that decides it: a single node
// serves every channel; in a mesh, the channel's home node will (the port and passphrase are
// already unique across nodes: node/catalog/srt-ports.ts).
import type { ChannelRecord } from "../../catalog/records.js";

export function servesSrtIngest(_channel: ChannelRecord, _nodeId: string): boolean {
  return true;
}
