// A restream's observed status, derived from what the user asked for, the feature switches and
// what its actor reports (if one runs). This is the one place the four states are decided.

export const RESTREAM_STATES = ["stopped", "awaiting_stream", "streaming", "error"] as const;
export type RestreamState = (typeof RESTREAM_STATES)[number];

export const ERROR_CODES = [
  "destination_unreachable",
  "destination_rejected",
  "destination_timeout",
  "unsupported_codec",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface RestreamError {
  readonly code: ErrorCode;
  readonly message: string;
  /** ISO 8601; null when it waits for something other than time (e.g. the ingest's codecs). */
  readonly retryAt: string | null;
}

export interface RestreamStats {
  readonly bitrateBps: number;
  readonly bytesSent: number;
  readonly uptimeSeconds: number;
  readonly restarts: number;
  readonly speed: number;
}

/** What an actor hosting the restream says about it. */
export interface ActorReport {
  readonly state: Exclude<RestreamState, "stopped">;
  readonly error: RestreamError | null;
  readonly node: string;
  readonly stats: RestreamStats;
  /** Streaming with the slate on air (onSourceLoss "slate"); absent: false. */
  readonly holding?: boolean;
}

export interface RestreamStatus {
  readonly state: RestreamState;
  readonly error: RestreamError | null;
  readonly node: string | null;
  readonly stats: RestreamStats;
  readonly holding: boolean;
}

export const IDLE_STATS: RestreamStats = {
  bitrateBps: 0,
  bytesSent: 0,
  uptimeSeconds: 0,
  restarts: 0,
  speed: 0,
};

export function deriveStatus(input: {
  desired: "started" | "stopped";
  featuresOn: boolean;
  actor: ActorReport | undefined;
}): RestreamStatus {
  if (input.desired === "stopped" || !input.featuresOn) {
    return { state: "stopped", error: null, node: null, stats: IDLE_STATS, holding: false };
  }
  if (!input.actor)
    return { state: "awaiting_stream", error: null, node: null, stats: IDLE_STATS, holding: false };
  const { state, error, node, stats, holding } = input.actor;
  return {
    state,
    error: state === "error" ? error : null,
    node,
    stats,
    holding: state === "streaming" && holding === true,
  };
}
