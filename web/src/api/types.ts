// The public REST API's resources as the UI reads them (README "The REST API in short").

export type Role = "admin" | "user";

export interface Me {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
}

/** An API token as lists show it: never the token itself. */
export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  /** null: it never expires. */
  readonly expiresAt: string | null;
}

/** The create answer: the only time the token is shown. */
export interface NewApiToken extends ApiToken {
  readonly token: string;
}

export interface Features {
  readonly restreaming: boolean;
  readonly srt: boolean;
}

export type DestinationKind = "rtmp" | "rtmps" | "srt";

export interface Destination {
  readonly id: string;
  readonly name: string;
  /** Passphrases redacted. */
  readonly url: string;
  readonly kind: DestinationKind;
  readonly insecureSkipVerify: boolean;
  /** Ids of the restreams that push to it. */
  readonly usedBy: readonly string[];
}

export interface DestinationInput {
  readonly name: string;
  readonly url: string;
  readonly insecureSkipVerify?: boolean;
}

export interface ChannelCodecs {
  readonly video: string | null;
  readonly audio: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly profile: string | null;
  readonly level: string | null;
  readonly sampleRate: number | null;
  readonly channels: number | null;
}

export interface IngestStats {
  readonly bitrateBps: number;
  readonly fps: number;
  readonly keyframeIntervalSeconds: number;
}

export interface Channel {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly srtIngest: boolean;
  readonly live: boolean;
  /** The node holding the ingest while live. */
  readonly node: string | null;
  readonly codecs: ChannelCodecs | null;
  readonly stats: IngestStats | null;
}

/** The single-channel GET (owner or admin): with the key and the ingest URLs that carry it. */
export interface ChannelWithSecrets extends Channel {
  readonly streamKey: string;
  readonly ingest: { readonly rtmp: string; readonly rtmpServer: string; readonly srt: string | null };
}

export const RESTREAM_STATES = ["stopped", "awaiting_stream", "streaming", "error"] as const;
export type RestreamState = (typeof RESTREAM_STATES)[number];
export type RestreamKind = "destination" | "srt_push" | "remote_playback";

export interface RestreamError {
  readonly code: string;
  readonly message: string;
  /** ISO 8601, or null when it waits for something other than time. */
  readonly retryAt: string | null;
}

export interface Restream {
  readonly id: string;
  readonly channelId: string;
  readonly kind: RestreamKind;
  readonly name: string;
  readonly destinationId: string | null;
  /** SRT Push only, passphrase redacted. */
  readonly url: string | null;
  /** Remote Playback only; the passphrase only in the single GET and the create answer. */
  readonly playbackUrl: string | null;
  readonly state: RestreamState;
  readonly error: RestreamError | null;
  readonly node: string | null;
  /** Times still to apply: started at startAt, stopped at stopAt. */
  readonly schedule: Schedule | null;
  readonly stats: {
    readonly bitrateBps: number;
    readonly bytesSent: number;
    readonly uptimeSeconds: number;
    readonly restarts: number;
    readonly speed: number;
  };
}

export type RestreamInput =
  | {
      readonly kind: "destination";
      readonly destinationId: string;
      readonly streamKey: string;
      readonly name?: string;
    }
  | { readonly kind: "srt_push"; readonly url: string; readonly name?: string }
  | { readonly kind: "remote_playback"; readonly name?: string };

/** PATCH /restreams/:id: only what changes; a running push restarts with it. */
export interface HistoryItem {
  readonly time: string;
  /** The restream's own state, or its channel's `live` / `offline`. */
  readonly kind: "restream" | "channel";
  readonly state: RestreamState | "live" | "offline";
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly node: string;
}

export interface BulkAnswer {
  readonly items: Restream[];
  readonly skipped: { readonly id: string; readonly code: string; readonly message: string }[];
}

export interface Schedule {
  readonly startAt?: string;
  readonly stopAt?: string;
}

export interface RestreamChange {
  readonly name?: string;
  readonly destinationId?: string;
  readonly streamKey?: string;
  readonly url?: string;
  readonly schedule?: Schedule | null;
}

export interface LogLine {
  readonly time: string;
  readonly text: string;
}

export interface NodeInfo {
  readonly id: string;
  readonly address: string | null;
  readonly uptimeSeconds: number;
  readonly ingests: number;
  readonly actors: { readonly restream: number; readonly playback: number; readonly chain: number };
  readonly maxRestreams: number;
  readonly load: number;
}

/** A server-sent event's data: the resource as lists show it, or a deletion. */
export type Deleted = { readonly id: string; readonly deleted: true };
