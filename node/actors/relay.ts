// What the actors need from the world, kept narrow so they are testable with fakes: a feed of the
// channel's media (from the hub), an engine that relays it to a destination (RestreamActor) and one
// that serves it to an SRT caller (PlaybackActor).
import type { Readable } from "node:stream";
import type { ChannelCodecs } from "../media/codecs.js";
import type { Container } from "../media/container.js";
import type { ErrorCode } from "../restreams/status.js";
import type { DestinationTarget } from "../urls/destination-url.js";

/** A live channel as an actor sees it. */
export interface IngestFeed {
  readonly codecs: ChannelCodecs;
  /** What every reader's bytes are: FLV (RTMP ingest) or MPEG-TS (SRT ingest). */
  readonly container: Container;
  /** A new reader of the channel: bytes in `container`, starting on a keyframe; `name` shows in hub logs. */
  open(name: string): FeedReader;
  /** Remote Playback: a stream that holds back until a caller arrives (node/hub/primed-stream.ts).
   * Absent where the container cannot be primed yet (MPEG-TS from the SRT ingest). */
  readonly openPrimed?: (name: string) => PrimedReader;
}

export interface FeedReader {
  readonly stream: Readable;
  close(): void;
}

/**
 * Bytes in two steps: at once only what ffmpeg needs to open its input (it then blocks in the SRT
 * accept and reads no more), then, after `resume()`, the channel from its current keyframe on.
 */
export interface PrimedReader extends FeedReader {
  resume(): void;
}

/** Where and how to push. `secrets` are redacted from every log line the engine keeps. */
/** What an engine relays: a reader's bytes and their container. */
export interface RelayInput {
  readonly stream: Readable;
  readonly container: Container;
}

export interface RelaySpec {
  readonly target: DestinationTarget;
  readonly streamKey: string | null;
  readonly insecureSkipVerify: boolean;
  readonly secrets: readonly string[];
}

/** Remote Playback: the SRT listener's port and passphrase, allocated with the restream. */
export interface PlaybackSpec {
  readonly kind: "playback";
  readonly port: number;
  readonly passphrase: string;
}

/** What the scheduler asks a node to run for one restream. */
export type ActorSpec = ({ readonly kind: "push" } & RelaySpec) | PlaybackSpec;

export interface RelayFailure {
  readonly code: ErrorCode;
  readonly message: string;
}

export interface RelayProgress {
  readonly bitrateBps: number;
  readonly bytesSent: number;
  readonly speed: number;
}

export interface RelayEvents {
  progress(progress: RelayProgress): void;
  /** A redacted engine log line. */
  log(text: string): void;
  /** The relay ended: null when it was stopped or the input ended cleanly. Called once. */
  exit(failure: RelayFailure | null): void;
}

export interface RelayHandle {
  /** Stops the relay; resolves once it has exited (after `events.exit`). */
  stop(): Promise<void>;
}

export interface RelayEngine {
  start(input: RelayInput, spec: RelaySpec, events: RelayEvents): RelayHandle;
}

export interface ListenerEvents extends RelayEvents {
  /** A caller connected: ffmpeg opened its output, and now reads its input. */
  connected(): void;
}

export interface ListenerEngine {
  /** Serves `input` to one SRT caller; exits when the caller leaves (or it fails, or is stopped). */
  listen(input: RelayInput, spec: PlaybackSpec, events: ListenerEvents): RelayHandle;
}
