// What GET /restreams/:id/history answers: the restream's own changes and its channel's live /
// offline since the restream was made, merged newest first.
import type { RestreamRecord } from "../catalog/records.js";
import { type HistoryEntry, type HistoryLog, MAX_ENTRIES } from "./history-log.js";

export interface HistoryItem extends HistoryEntry {
  /** Whose change: the restream's state, or its channel's `live` / `offline`. */
  readonly kind: "restream" | "channel";
}

export async function restreamHistory(log: HistoryLog, restream: RestreamRecord): Promise<HistoryItem[]> {
  const [own, channel] = await Promise.all([log.read(restream.id), log.read(restream.channelId)]);
  const items: HistoryItem[] = [
    ...own.map((entry) => ({ ...entry, kind: "restream" as const })),
    ...channel
      .filter((entry) => entry.time >= restream.createdAt)
      .map((entry) => ({ ...entry, kind: "channel" as const })),
  ];
  return items.sort((a, b) => b.time.localeCompare(a.time)).slice(0, MAX_ENTRIES);
}
