// Which node runs a channel's SRT ingest listeners: the node whose SRT range each port came from
// (the channel's home, named in its SRT URL; node/catalog/srt-ports.ts). A channel with a backup
// has two listeners, one per input, each served by its own port's node.
import type { ChannelRecord, SrtListenerSecret } from "../../catalog/records.js";
import type { IngestInput } from "../../defs/ingest-input.js";

/** The channel's SRT listeners this node serves, by input (the backup's only while it has one). */
export function srtInputsServed(
  channel: ChannelRecord,
  nodeId: string,
): { readonly input: IngestInput; readonly listener: SrtListenerSecret }[] {
  const inputs = [
    { input: "primary" as const, listener: channel.srt },
    { input: "backup" as const, listener: channel.srt ? (channel.srtBackup ?? null) : null },
  ];
  return inputs.flatMap(({ input, listener }) =>
    listener !== null && listener.nodeId === nodeId ? [{ input, listener }] : [],
  );
}
