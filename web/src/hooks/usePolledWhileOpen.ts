// Reads something at once when a panel opens and every few seconds while it stays open (an engine
// log, a history): nothing is fetched for closed panels.
import { useCallback, useEffect, useState } from "react";
import { useInterval } from "./useInterval";

const POLL_MS = 3_000;

export function usePolledWhileOpen<T>(read: () => Promise<T>, open: boolean) {
  const [data, setData] = useState<T>();
  const [failed, setFailed] = useState(false);
  const load = useCallback(
    () =>
      read().then(
        (next) => {
          setData(next);
          setFailed(false);
        },
        () => setFailed(true),
      ),
    [read],
  );
  useEffect(() => {
    if (open) void load();
  }, [open, load]);
  useInterval(load, POLL_MS, open);
  return { data, failed };
}
