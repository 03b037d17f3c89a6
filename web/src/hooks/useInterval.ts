// Calls the latest `callback` every `ms` while `active`. For what server-sent events do not carry:
// rates and counters (bitrate, bytes, uptime), node load, log lines, a countdown.
import { useEffect, useRef } from "react";

export function useInterval(callback: () => void, ms: number, active = true): void {
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
}
