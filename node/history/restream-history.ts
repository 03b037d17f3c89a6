// What GET /restreams/:id/history answers: the restream's own changes and its channel's live /
// offline since the restream was made, merged newest first.
import { type HistoryEntry, type HistoryLog, MAX_ENTRIES } from "./history-log.js";

export interface HistoryItem extends HistoryEntry {
  /** Whose change: the restream's state, or its channel's `live` / `offline`. */
  readonly kind: "restream" | "channel";
}

/** The restream's fields the history needs (a catalog RestreamRecord has them; history/ stays below
 * catalog/, which keeps the log). */
export interface HistorySubject {
  readonly id: string;
  readonly channelId: string;
  /** ISO 8601: the channel's entries before it are not this restream's. */
  readonly createdAt: string;
}

export async function restreamHistory(log: HistoryLog, restream: HistorySubject): Promise<HistoryItem[]> {
  const [own, channel] = await Promise.all([log.read(restream.id), log.read(restream.channelId)]);
  const items: HistoryItem[] = [
    ...own.map((entry) => ({ ...entry, kind: "restream" as const })),
    ...channel
      .filter((entry) => entry.time >= restream.createdAt)
      .map((entry) => ({ ...entry, kind: "channel" as const })),
  ];
  return items.sort((a, b) => b.time.localeCompare(a.time)).slice(0, MAX_ENTRIES);
}
