// React access to the app's one LiveEvents stream (api/live-events.ts).
import { createContext, useContext, useEffect, useRef, useState } from "react";
import type { ConnectionState, LiveEventData, LiveEventKind, LiveEvents } from "../api/live-events";

export const LiveEventsContext = createContext<LiveEvents | null>(null);

function useLiveEvents(): LiveEvents {
  const live = useContext(LiveEventsContext);
  if (!live) throw new Error("useLiveEvents outside LiveEventsContext");
  return live;
}

/** Calls the latest `handler` for each event of `kind`. */
export function useLiveEvent<K extends LiveEventKind>(
  kind: K,
  handler: (data: LiveEventData[K]) => void,
): void {
  const live = useLiveEvents();
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => live.on(kind, (data) => latest.current(data)), [live, kind]);
}

/** Calls the latest `reload` after the stream reconnects. */
export function useResync(reload: () => void): void {
  const live = useLiveEvents();
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => live.onResync(() => latest.current()), [live]);
}

export function useConnectionState(): ConnectionState {
  const live = useLiveEvents();
  const [state, setState] = useState<ConnectionState>("connecting");
  useEffect(() => live.onState(setState), [live]);
  return state;
}
