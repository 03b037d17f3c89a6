// The engine's recent log lines (redacted by the server), read while the panel is open.
import { useCallback, useState } from "react";
import { api } from "../../api/client";
import { usePolledWhileOpen } from "../../hooks/usePolledWhileOpen";

export function RestreamLog({ restreamId }: { readonly restreamId: string }) {
  const [open, setOpen] = useState(false);
  const read = useCallback(() => api.restreams.logs(restreamId), [restreamId]);
  const { data: lines, failed } = usePolledWhileOpen(read, open);

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
