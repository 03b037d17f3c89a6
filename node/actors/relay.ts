// What a RestreamActor needs from the world, kept narrow so the actor is testable with fakes:
// a feed of the channel's media (from the hub) and an engine that relays it to a destination.
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
}

export interface FeedReader {
  readonly stream: Readable;
  close(): void;
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
