// The only way the RTMP ingest talks to the rest of the node. The server knows nothing of the
// store, channels or the hub: it asks `authorize` whether a stream key may publish, tells
// `started` when the publisher is live, and hands the publisher's tags to the sink it gets back.
// A test drives the whole server with a fake of these few members.
import type { ChannelCodecs } from "../../defs/codecs.js";
import type { FlvTag } from "../../defs/flv-tag.js";
import type { IngestInput } from "../../defs/ingest-input.js";

export interface PublishRequest {
  /** The application from the publisher's connect command ("live" is the only one served). */
  readonly app: string;
  /** The stream name the publisher used, before any "?query". A secret: never log it. */
  readonly streamKey: string;
  readonly remoteAddress: string;
  /** Came over RTMPS. */
  readonly secure: boolean;
}

export type RefusalReason = "unknown_key" | "already_live" | "unsupported";

export interface PublishRefusal {
  readonly accept: false;
  readonly reason: RefusalReason;
  /** Shown to the publisher (ffmpeg prints it as "Server error: ..."): no secrets. */
  readonly message: string;
}

/** Accepted: the channel, and which of its inputs the key is (its primary or its backup key). */
export type PublishDecision =
  | { readonly accept: true; readonly channelId: string; readonly input: IngestInput }
  | PublishRefusal;

export interface Publisher {
  /** Unique per connection; names the publisher in logs and events. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly secure: boolean;
  /** Ends the publish and closes the connection (the channel went live on another node). */
  disconnect(): void;
}

/** Why a publisher went; `sink.end` gets exactly one. */
export type PublishEndReason =
  | "unpublished" // FCUnpublish, deleteStream or closeStream
  | "disconnected" // the connection closed or failed
  | "timeout" // no media for too long
  | "protocol_error" // malformed bytes, oversize message, command out of order
  | "unsupported_codec" // a refused codec arrived after the publish started
  | "server_closing"
  | "replaced" // the channel went live on another node: the newest publisher wins
  | "sink_error"; // the sink itself threw

export interface PublishSink {
  /**
   * The channel's codecs, before the first media tag (so before the first keyframe); called
   * again when a new sequence header changes them (a resolution change).
   */
  codecs(codecs: ChannelCodecs): void;
  /** Every tag in arrival order: sequence headers, frames, onMetaData (without "@setDataFrame"). */
  tag(tag: FlvTag): void;
  /** Exactly once, when the publisher goes; no call follows it. */
  end(reason: PublishEndReason): void;
}

export type StartResult = { readonly accept: true; readonly sink: PublishSink } | PublishRefusal;

export interface IngestHandler {
  /** May the key publish? Checks the key and whether the channel is live; may read the store. */
  authorize(request: PublishRequest): Promise<PublishDecision>;
  /**
   * The publisher is live (its codecs are known): where do its tags go? Synchronous, so a
   * handler can claim the channel atomically: a second publisher that passed `authorize` at the
   * same moment gets `{ accept: false, reason: "already_live" }` here.
   */
  started(channelId: string, publisher: Publisher, input: IngestInput): StartResult;
}
