// The four restream states as the UI shows them (the same labels as the API docs and metrics).
import type { RestreamState } from "../api/types";

export const STATE_LABEL: Record<RestreamState, string> = {
  stopped: "Stopped",
  awaiting_stream: "Awaiting Stream",
  streaming: "Streaming",
  error: "Error",
};

export function StateBadge({ state }: { readonly state: RestreamState }) {
  return <span className={`badge badge-${state}`}>{STATE_LABEL[state]}</span>;
}

export function LiveBadge({ live }: { readonly live: boolean }) {
  return (
    <span className={`badge ${live ? "badge-live" : "badge-offline"}`}>{live ? "Live" : "Offline"}</span>
  );
}
