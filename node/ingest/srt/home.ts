// Which node runs a channel's SRT ingest listener: the node whose SRT range its port came from
// (the channel's home, named in its SRT URL; node/catalog/srt-ports.ts).
import type { ChannelRecord } from "../../catalog/records.js";

export function servesSrtIngest(channel: ChannelRecord, nodeId: string): boolean {
  return channel.srt?.nodeId === nodeId;
}
