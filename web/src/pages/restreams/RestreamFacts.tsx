// Under a restream's name: where it goes, why it failed and when it retries, what it sends.
import type { Restream } from "../../api/types";
import { formatBitrate, formatBytes, formatDuration } from "../../format";
import { describeOutput, isCopy } from "./output-profiles";
import { RetryCountdown } from "./RetryCountdown";
import { ScheduleCountdown } from "./ScheduleCountdown";

function target(restream: Restream, destinationName: string | undefined): string {
  if (restream.kind === "destination") return `to ${destinationName ?? "a saved destination"}`;
  if (restream.kind === "srt_push") return `SRT Push to ${restream.url}`;
  const callers = restream.maxCallers ?? 1;
  return `Remote Playback, up to ${callers} ${callers === 1 ? "caller" : "callers"} at once`;
}

export function RestreamFacts({
  restream,
  destinationName,
}: {
  restream: Restream;
  destinationName?: string;
}) {
  const { error, stats } = restream;
  return (
    <>
      <p className="target">{target(restream, destinationName)}</p>
      {!isCopy(restream.output) && <p className="output">Output: {describeOutput(restream.output)}</p>}
      {restream.schedule && <ScheduleCountdown schedule={restream.schedule} />}
      {restream.onSourceLoss === "slate" && (
        <p className="hint">
          {restream.holding
            ? `The channel has no input: the slate holds the destination (at most ${restream.slateSeconds} s).`
            : `On source loss: slate for ${restream.slateSeconds} s.`}
        </p>
      )}
      {restream.state === "error" && error && (
        <p className="restream-error">
          {error.message}
          {error.retryAt && <RetryCountdown at={error.retryAt} />}
        </p>
      )}
      {restream.state === "streaming" && (
        <p className="stats">
          {formatBitrate(stats.bitrateBps)} · {formatBytes(stats.bytesSent)} sent · up{" "}
          {formatDuration(stats.uptimeSeconds)}
          {restream.node && ` · on ${restream.node}`}
        </p>
      )}
    </>
  );
}
