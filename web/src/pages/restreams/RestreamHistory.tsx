// A restream's History tab: each state it entered, how long it stayed ("Error 3 min 2 s: ..."),
// on which node, and its channel going live or offline; newest first, read while open.
import { useCallback, useState } from "react";
import { api } from "../../api/client";
import type { HistoryItem, RestreamState } from "../../api/types";
import { STATE_LABEL } from "../../components/StateBadge";
import { formatDuration } from "../../format";
import { usePolledWhileOpen } from "../../hooks/usePolledWhileOpen";

/** "Error 3 min 2 s: key rejected" for a restream state; "Channel offline" for its channel. */
function describe(item: HistoryItem, until: string | undefined): string {
  if (item.kind === "channel") return `Channel ${item.state}`;
  const label = STATE_LABEL[item.state as RestreamState] ?? item.state;
  const seconds = (Date.parse(until ?? new Date().toISOString()) - Date.parse(item.time)) / 1000;
  const reason = item.error ? `: ${item.error.message}` : "";
  return `${label} ${formatDuration(Math.max(0, seconds))}${until ? "" : " so far"}${reason}`;
}

/** Each restream entry lasts until the next newer restream entry. */
function withEnds(items: readonly HistoryItem[]): { item: HistoryItem; until?: string }[] {
  let newer: string | undefined;
  return items.map((item) => {
    if (item.kind === "channel") return { item };
    const until = newer;
    newer = item.time;
    return { item, until };
  });
}

export function RestreamHistory({ restreamId }: { readonly restreamId: string }) {
  const [open, setOpen] = useState(false);
  const read = useCallback(() => api.restreams.history(restreamId), [restreamId]);
  const { data: items, failed } = usePolledWhileOpen(read, open);

  return (
    <details className="log history" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>History</summary>
      {failed && <p className="error">The history cannot be read now.</p>}
      {items?.length === 0 && <p>Nothing happened yet.</p>}
      {items && items.length > 0 && (
        <ol>
          {withEnds(items).map(({ item, until }) => (
            <li key={`${item.time}-${item.kind}-${item.state}`} className={`history-${item.kind}`}>
              <time dateTime={item.time}>{new Date(item.time).toLocaleString()}</time> {describe(item, until)}{" "}
              <span className="history-node">({item.node})</span>
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
