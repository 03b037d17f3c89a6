// Which node runs a channel's SRT ingest listener: the one place that decides it. A node serves
// the channels whose SRT port lies in its own STREAMWELL_SRT_PORTS range. On one node that is every
// channel; in a mesh whose nodes share a host (npm run mesh) each has its own range, so exactly one
// binds each port; nodes on separate hosts with the same range each listen, and a caller may use
// any of them. A channel with a home node (placement) would be decided here.
import type { ChannelRecord } from "../../catalog/records.js";
import type { PortRange } from "../../catalog/srt-ports.js";

export function servesSrtIngest(channel: ChannelRecord, ports: PortRange): boolean {
  const port = channel.srt?.port;
  return port !== undefined && port >= ports.from && port <= ports.to;
}
