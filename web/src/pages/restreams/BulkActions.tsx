// "Start all" and "Stop all" for a channel's restreams: one call each. Restreams a feature switch
// keeps off are named under the buttons, since the others did start.
import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { BulkAnswer, Restream } from "../../api/types";
import { ErrorMessage } from "../../components/ErrorMessage";

interface BulkActionsProps {
  readonly channelId: string;
  readonly restreams: readonly Restream[];
  readonly onChanged: (restream: Restream) => void;
}

export function BulkActions({ channelId, restreams, onChanged }: BulkActionsProps) {
  const [error, setError] = useState<ApiError>();
  const [skipped, setSkipped] = useState<BulkAnswer["skipped"]>([]);
  if (restreams.length === 0) return null;
  const run = async (action: "start" | "stop") => {
    try {
      const answer = await api.restreams.setAll(channelId, action);
      for (const restream of answer.items) onChanged(restream);
      setSkipped(answer.skipped);
      setError(undefined);
    } catch (reason) {
      setError(reason as ApiError);
    }
  };
  const nameOf = (id: string) => restreams.find((restream) => restream.id === id)?.name ?? id;
  return (
    <div className="actions bulk-actions">
      <button
        type="button"
        className="small"
        onClick={() => run("start")}
        disabled={restreams.every((r) => r.state !== "stopped")}
      >
        Start all
      </button>
      <button
        type="button"
        className="small"
        onClick={() => run("stop")}
        disabled={restreams.every((r) => r.state === "stopped")}
      >
        Stop all
      </button>
      <ErrorMessage error={error} />
      {skipped.length > 0 && (
        <ul className="error" role="alert" aria-label="Not started">
          {skipped.map((item) => (
            <li key={item.id}>
              {nameOf(item.id)}: {item.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
