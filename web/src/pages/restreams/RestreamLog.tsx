// The engine's recent log lines (redacted by the server), read while the panel is open.
import { useCallback, useEffect, useState } from "react";
import { api } from "../../api/client";
import type { LogLine } from "../../api/types";
import { useInterval } from "../../hooks/useInterval";

const POLL_MS = 3_000;

export function RestreamLog({ restreamId }: { readonly restreamId: string }) {
  const [open, setOpen] = useState(false);
  const [lines, setLines] = useState<readonly LogLine[]>();
  const [failed, setFailed] = useState(false);

  const load = useCallback(
    () =>
      api.restreams.logs(restreamId).then(
        (next) => {
          setLines(next);
          setFailed(false);
        },
        () => setFailed(true),
      ),
    [restreamId],
  );
  useEffect(() => {
    if (open) void load();
  }, [open, load]);
  useInterval(load, POLL_MS, open);

  return (
    <details className="log" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>Engine log</summary>
      {failed && <p className="error">The log cannot be read now.</p>}
      {lines?.length === 0 && <p>No log lines yet.</p>}
      {lines && lines.length > 0 && (
        <pre>{lines.map((line) => `${line.time.slice(11, 19)} ${line.text}`).join("\n")}</pre>
      )}
    </details>
  );
}
