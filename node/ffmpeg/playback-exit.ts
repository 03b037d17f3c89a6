// The Remote Playback listeners' exit classifier (./exit.ts). A listener serves one caller and exits
// when that caller leaves: no failure, the actor listens again. Ending before any caller came is one.
import type { RelayFailure } from "../defs/relay.js";
import { bindFailed, type ExitFacts, outputOpened } from "./exit.js";

export function classifyPlaybackExit(exit: ExitFacts): RelayFailure | null {
  if (exit.stoppedByUs || outputOpened(exit.stderrLines)) return null;
  if (bindFailed(exit.stderrLines)) {
    return { code: "internal", message: "the Remote Playback port is in use by another program" };
  }
  return { code: "internal", message: "the SRT listener ended before a caller connected" };
}
