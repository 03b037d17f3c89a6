// The four restream states as the UI shows them (the same labels as the API docs and metrics).
import type { RestreamState } from "../api/types";

export const STATE_LABEL: Record<RestreamState, string> = {
  stopped: "Stopped",
  awaiting_stream: "Awaiting Stream",
  streaming: "Streaming",
  error: "Error",
};

/** A restream's state; "Streaming: slate" while it holds its destination with the slate. */
export function StateBadge({
  state,
  holding = false,
}: {
  readonly state: RestreamState;
  readonly holding?: boolean;
}) {
  const slate = holding && state === "streaming";
  return (
    <span className={`badge badge-${state}${slate ? " badge-holding" : ""}`}>
      {STATE_LABEL[state]}
      {slate ? ": slate" : ""}
    </span>
  );
}

export function LiveBadge({ live }: { readonly live: boolean }) {
  return (
    <span className={`badge ${live ? "badge-live" : "badge-offline"}`}>{live ? "Live" : "Offline"}</span>
  );
}
