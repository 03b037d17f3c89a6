// What the actors need from the world, kept narrow so they are testable with fakes: a feed of the
// channel's media (from the hub), an engine that relays it to a destination (RestreamActor) and one
// that serves it to SRT callers (PlaybackActor).
import type { Readable } from "node:stream";
import type { ChannelCodecs } from "./codecs.js";
import type { Container } from "./container.js";
import type { DestinationTarget } from "./destination.js";
import type { FlvTag } from "./flv-tag.js";
import type { OutputProfile } from "./output.js";
import type { ErrorCode } from "./restream-status.js";
import type { TsUnit } from "./ts-unit.js";

/** A live channel as an actor sees it. */
export interface IngestFeed {
  readonly codecs: ChannelCodecs;
  /** What every reader's bytes are: FLV (RTMP ingest) or MPEG-TS (SRT ingest). */
  readonly container: Container;
  /** A new reader of the channel: bytes in `container`, starting on a keyframe; `name` shows in hub logs. */
  open(name: string): FeedReader;
}

export interface FeedReader {
  /** The reader's bytes, made on first use: an engine that reads `tags` never leaves a stream unread. */
  readonly stream: Readable;
  /** FLV feeds: the hub's tags themselves, for an engine that speaks RTMP; absent for MPEG-TS. */
  readonly tags?: TagSource;
  /** MPEG-TS feeds: the hub's units themselves (a slate hold splices them); absent for FLV. */
  readonly tsUnits?: UnitSource<TsUnit>;
  close(): void;
}

/** Why a hub reader ended: its publisher left, its consumer fell behind, or it was closed. */
export type EndCode = "publisher_left" | "too_slow" | "closed";

export interface EndReason {
  readonly code: EndCode;
  readonly message: string;
}

/** A reader's units as the hub hands them out (FLV tags: TagSource; MPEG-TS units). */
export interface UnitSource<U> {
  /** The next queued unit; undefined when none is queued now (or the reader has ended). */
  poll(): U | undefined;
  /** Resolves once, when the reader ends ("too_slow": its consumer fell behind and was cut off). */
  whenEnded(): Promise<EndReason>;
}

/** A reader's FLV tags as the hub hands them out. */
export interface TagSource {
  /** The next queued tag; undefined when none is queued now (or the reader has ended). */
  poll(): FlvTag | undefined;
  /** Resolves once, when the reader ends ("too_slow": its consumer fell behind and was cut off). */
  whenEnded(): Promise<EndReason>;
}

/** What an engine relays: a reader's bytes (or, for FLV, its tags) and their container. An engine
 * reads either `stream` or `tags`, never both. */
export interface RelayInput {
  readonly stream: Readable;
  readonly container: Container;
  /** What the bytes carry: how much of them ffmpeg must probe to find every track (ffmpeg/args.ts). */
  readonly codecs?: ChannelCodecs;
  readonly tags?: TagSource;
}

/** The engines a restream can be pushed by: "native" (RTMP/RTMPS from FLV feeds) or "ffmpeg" (any). */
export const ENGINE_NAMES = ["native", "ffmpeg"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Where and how to push. `secrets` are redacted from every log line the engine keeps. */
export interface RelaySpec {
  readonly target: DestinationTarget;
  readonly streamKey: string | null;
  readonly insecureSkipVerify: boolean;
  readonly secrets: readonly string[];
  /** The destination's own choice of engine; null: the node's restreamEngine. */
  readonly engine: EngineName | null;
  /** What an SRT target gets: MPEG-TS unless set (a chain link carrying FLV). */
  readonly srtContainer?: Container;
  /** Re-encoded by the channel's shared encoder for this profile; absent: the channel as it comes. */
  readonly output?: OutputProfile;
  /**
   * A target a user typed (SRT Push): every start resolves it, checks the addresses against the
   * target policy and gives the engine the checked address (node/restreams/pinned-targets.ts).
   */
  readonly pinTarget?: boolean;
  /** `onSourceLoss: "slate"`: when the channel goes offline, the slate holds the session this long. */
  readonly slate?: { readonly seconds: number };
}

/** How many callers one Remote Playback serves at once unless its restream says otherwise. */
export const DEFAULT_MAX_CALLERS = 4;
/** The most a restream may ask for: the listener's table (MAX_SLOTS in node/ffmpeg/srt-fanout.c). */
export const MAX_CALLERS_LIMIT = 64;

/** Remote Playback: the SRT listener's port and passphrase, allocated with the restream, and its cap. */
export interface PlaybackSpec {
  readonly kind: "playback";
  readonly port: number;
  readonly passphrase: string;
  /** Callers served at once; one more is refused in the SRT handshake. */
  readonly maxCallers: number;
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

/** What a Remote Playback listener reports; callers are numbered from 1 by the listener. */
export interface PlaybackEvents {
  /** The port is bound: callers can connect. */
  listening(): void;
  connected(caller: number, address: string): void;
  /** A caller over the cap was rejected in the handshake. */
  refused(address: string): void;
  left(caller: number, reason: string): void;
  /** The listener can take bytes again after a send() that answered false. */
  drain(): void;
  log(text: string): void;
  /** The listener ended: null when it was stopped. Called once. */
  exit(failure: RelayFailure | null): void;
}

/** One SRT listener serving many callers, each fed its own MPEG-TS (node/ffmpeg/fanout.ts). */
export interface PlaybackServer extends RelayHandle {
  /** MPEG-TS for one caller; false: wait for `drain` before sending more. */
  send(caller: number, bytes: Buffer): boolean;
  /** The caller's feed ended: hang up on it. */
  hangUp(caller: number): void;
}

export interface RemuxEvents {
  data(bytes: Buffer): void;
  log(text: string): void;
  exit(failure: RelayFailure | null): void;
}

export interface ListenerEngine {
  /** Listens on the spec's port for as long as it is not stopped. */
  serve(spec: PlaybackSpec, events: PlaybackEvents): PlaybackServer;
  /** FLV in, the same media as MPEG-TS out (a caller of a channel ingested over RTMP). */
  remux(input: RelayInput, events: RemuxEvents): RelayHandle;
}
