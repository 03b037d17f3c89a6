// Why an SRT ingest or chain listener's ffmpeg ended, for the node's log (ffmpeg's exit classifiers,
// node/ffmpeg/exit.ts). A listener's exit is never a restream's error: no destination is involved,
// the listener only backs off and listens again. null: nothing to say (stopped, or the caller left).
import { bindFailed, type ExitClassifier, outputOpened } from "../../ffmpeg/exit.js";

function listenerExit(words: { readonly port: string; readonly caller: string }): ExitClassifier<string> {
  return (exit) => {
    if (exit.stoppedByUs) return null;
    if (bindFailed(exit.stderrLines)) return `${words.port} is in use by another program`;
    // An SRT ingest with a backup remuxes to FLV, which ffmpeg 5.1 cannot do for HEVC.
    if (exit.stderrLines.some((line) => /not compatible with FLV/i.test(line)))
      return `${words.caller} sends a codec FLV cannot carry (HEVC?): a channel with a backup takes H.264 + AAC over SRT`;
    const timedOut = exit.stderrLines.some((line) => /Connection timed out/.test(line));
    if (outputOpened(exit.stderrLines))
      return timedOut ? `${words.caller} stopped sending (timed out)` : null;
    const how = exit.signal === null ? `exit code ${exit.exitCode ?? "unknown"}` : `killed by ${exit.signal}`;
    return `ffmpeg ended (${how}) before ${words.caller} connected`;
  };
}

/** A channel's SRT ingest listener (./ingests.ts). */
export const srtIngestExit = listenerExit({
  port: "the channel's SRT ingest port",
  caller: "an SRT caller",
});

/** A chain link's target end (node/actors/chain-ends.ts): its caller is the link's source node. */
export const chainListenerExit = listenerExit({
  port: "the chain link's port",
  caller: "the link's source node",
});
