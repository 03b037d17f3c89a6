// One restream: where it goes, its state badge (with the reason and next retry on error), what it
// sends while streaming, start/stop/delete, and its engine log.
import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { Restream } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { StateBadge } from "../../components/StateBadge";
import { formatBitrate, formatBytes, formatDuration } from "../../format";
import { PlaybackUrl } from "./PlaybackUrl";
import { RestreamLog } from "./RestreamLog";
import { RetryCountdown } from "./RetryCountdown";

interface RestreamItemProps {
  readonly restream: Restream;
  readonly destinationName: string | undefined;
}

function target(restream: Restream, destinationName: string | undefined): string {
  if (restream.kind === "destination") return `to ${destinationName ?? "a saved destination"}`;
  if (restream.kind === "srt_push") return `SRT Push to ${restream.url}`;
  return "Remote Playback";
}

export function RestreamItem({ restream, destinationName }: RestreamItemProps) {
  const [error, setError] = useState<ApiError>();
  const running = restream.state !== "stopped";

  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setError(undefined);
    } catch (reason) {
      setError(reason as ApiError);
    }
  };

  return (
    <li className={`card restream restream-${restream.state}`} aria-labelledby={`${restream.id}-name`}>
      <div className="restream-head">
        <h3 id={`${restream.id}-name`}>{restream.name}</h3>
        {/* A live region: a screen reader hears "Primary: Streaming" when the state changes. */}
        <span role="status">
          <span className="visually-hidden">{restream.name}: </span>
          <StateBadge state={restream.state} />
        </span>
      </div>
      <p className="target">{target(restream, destinationName)}</p>
      {restream.state === "error" && restream.error && (
        <p className="restream-error">
          {restream.error.message}
          {restream.error.retryAt && <RetryCountdown at={restream.error.retryAt} />}
        </p>
      )}
      {restream.state === "streaming" && (
        <p className="stats">
          {formatBitrate(restream.stats.bitrateBps)} · {formatBytes(restream.stats.bytesSent)} sent · up{" "}
          {formatDuration(restream.stats.uptimeSeconds)}
          {restream.node && ` · on ${restream.node}`}
        </p>
      )}
      {restream.kind === "remote_playback" && <PlaybackUrl restreamId={restream.id} />}
      <div className="actions">
        {running ? (
          <button type="button" className="small" onClick={() => act(() => api.restreams.stop(restream.id))}>
            Stop<span className="visually-hidden"> {restream.name}</span>
          </button>
        ) : (
          <button type="button" className="small" onClick={() => act(() => api.restreams.start(restream.id))}>
            Start<span className="visually-hidden"> {restream.name}</span>
          </button>
        )}
        <ConfirmButton
          question={`Delete restream ${restream.name}?`}
          confirmLabel="Delete"
          onConfirm={() => act(() => api.restreams.remove(restream.id))}
        >
          Delete<span className="visually-hidden"> {restream.name}</span>
        </ConfirmButton>
      </div>
      <ErrorMessage error={error} />
      <RestreamLog restreamId={restream.id} />
    </li>
  );
}
