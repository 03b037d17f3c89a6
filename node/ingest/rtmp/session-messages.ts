// What an ingest connection does with each message: the NetConnection / NetStream commands a
// publisher sends (connect, releaseStream, FCPublish, createStream, publish, FCUnpublish,
// deleteStream, closeStream), pings, and its media and metadata once it publishes.
import { AUDIO, type FlvTag, SCRIPT, VIDEO } from "../../media/flv.js";
import { AmfEcmaArray, type AmfValue } from "../../rtmp/amf0.js";
import { type Command, decodeCommand, unwrapDataMessage } from "../../rtmp/commands.js";
import { readUserControl, UserControlEvent, userControlMessage } from "../../rtmp/control.js";
import { MessageType, type RtmpMessage } from "../../rtmp/messages.js";
import { SessionError } from "./errors.js";
import type { PublishDecision, PublishEndReason, PublishRefusal } from "./handler.js";
import { Publish } from "./publish.js";
import {
  connectReplies,
  onFcPublishMessage,
  onStatusMessage,
  publishStartReplies,
  resultMessage,
  Status,
} from "./replies.js";
import type { RtmpSession } from "./session.js";

/** The one application this server serves: rtmp://host/live/<stream key>. */
export const LIVE_APP = "live";
/** createStream calls per connection; publishers need one. */
const MAX_STREAMS = 8;

const REFUSAL_CODE: Record<PublishRefusal["reason"], string> = {
  unknown_key: Status.badName,
  already_live: Status.badConnection,
  unsupported: Status.rejected,
};

export class SessionMessages {
  private app: string | null = null;
  private streams = 0;
  private publishStreamId = 1;
  /** Bumped per publish attempt, so a late authorize answer for an abandoned one is ignored. */
  private attempt = 0;

  constructor(private readonly session: RtmpSession) {}

  handle(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.audio:
      case MessageType.video:
        return this.media(message);
      case MessageType.dataAmf0:
      case MessageType.dataAmf3:
        return this.data(message);
      case MessageType.commandAmf0:
      case MessageType.commandAmf3:
        return this.command(decodeCommand(message), message);
      case MessageType.userControl:
        return this.userControl(message);
      default:
        // Chunk-layer control was applied by the reader; acks, bandwidth, shared objects and
        // aggregates mean nothing to an ingest.
        return;
    }
  }

  private userControl(message: RtmpMessage): void {
    const event = readUserControl(message);
    if (event.event === UserControlEvent.pingRequest) {
      this.session.send(userControlMessage(UserControlEvent.pingResponse, event.value));
    }
  }

  private command(command: Command, message: RtmpMessage): void {
    const state = this.session.state;
    if (command.name === "connect") return this.connect(command);
    if (state === "handshake" || state === "connecting") {
      throw new SessionError(`"${safeName(command.name)}" before connect`);
    }
    switch (command.name) {
      case "releaseStream":
        return this.session.send(resultMessage(command.transactionId, null));
      case "FCPublish":
        this.session.send(onFcPublishMessage());
        return this.session.send(resultMessage(command.transactionId, null));
      case "createStream":
        if (++this.streams > MAX_STREAMS)
          throw new SessionError(`more than ${MAX_STREAMS} createStream calls`);
        return this.session.send(resultMessage(command.transactionId, this.streams));
      case "publish":
        return this.publish(command, message.streamId);
      case "FCUnpublish":
      case "deleteStream":
      case "closeStream":
        return this.unpublish();
      default:
        return; // getStreamLength, _checkbw, ... : nothing an ingest must answer
    }
  }

  private connect(command: Command): void {
    if (this.session.state !== "connecting") throw new SessionError("a second connect on one connection");
    const app = property(command.object, "app");
    if (typeof app !== "string") throw new SessionError("connect without an app");
    // "live", "live/" and "live?token=..." all name the live application.
    this.app = app.split("?")[0]?.replace(/\/+$/, "") ?? "";
    for (const reply of connectReplies(command.transactionId)) this.session.send(reply);
    this.session.to("connected");
  }

  private publish(command: Command, streamId: number): void {
    if (this.session.state !== "connected") {
      return this.refuse({
        accept: false,
        reason: "already_live",
        message: "already publishing on this connection",
      });
    }
    this.publishStreamId = streamId || 1;
    const name = command.args[0];
    const streamKey = typeof name === "string" ? (name.split("?")[0] ?? "") : "";
    if (this.app !== LIVE_APP) {
      return this.refuse({
        accept: false,
        reason: "unknown_key",
        message: `unknown application (use /${LIVE_APP})`,
      });
    }
    if (streamKey === "")
      return this.refuse({ accept: false, reason: "unknown_key", message: "no stream key" });
    this.session.to("authorizing");
    const attempt = ++this.attempt;
    const { publisher, parent } = this.session;
    parent.handler
      .authorize({
        app: this.app,
        streamKey,
        remoteAddress: publisher.remoteAddress,
        secure: publisher.secure,
      })
      .then(
        (decision) => this.decided(attempt, decision),
        (error: unknown) => {
          if (!this.current(attempt)) return;
          this.session.log(
            "warn",
            { error: error instanceof Error ? error.name : "unknown" },
            "rtmp authorize failed",
          );
          this.refuse({
            accept: false,
            reason: "already_live",
            message: "the server could not check the stream key",
          });
        },
      );
  }

  private current(attempt: number): boolean {
    return attempt === this.attempt && this.session.state === "authorizing";
  }

  private decided(attempt: number, decision: PublishDecision): void {
    if (!this.current(attempt)) return; // the publisher gave up or went meanwhile
    if (!decision.accept) return this.refuse(decision);
    try {
      const { handler, limits } = this.session.parent;
      this.session.publish = new Publish(handler, decision.channelId, this.session.publisher, limits.probe);
      this.session.to("publishing");
      for (const reply of publishStartReplies(this.publishStreamId)) this.session.send(reply);
      this.session.log("info", { channelId: decision.channelId }, "rtmp publish accepted");
    } catch (error) {
      this.session.fail(error);
    }
  }

  /** Tells the publisher why (ffmpeg prints the description), then closes. */
  private refuse(refusal: PublishRefusal, endReason: PublishEndReason = "disconnected"): void {
    const code = REFUSAL_CODE[refusal.reason];
    this.session.send(onStatusMessage(this.publishStreamId, "error", code, refusal.message));
    this.session.log("info", { code, reason: refusal.reason }, "rtmp publish refused");
    this.session.close(endReason, true);
  }

  private unpublish(): void {
    const state = this.session.state;
    if (state !== "publishing" && state !== "authorizing") return;
    this.session.publish?.end("unpublished");
    this.session.publish = null;
    this.session.to("connected");
    this.session.log("info", {}, "rtmp unpublished");
  }

  private media(message: RtmpMessage): void {
    const publish = this.session.publish;
    if (!publish || message.payload.length === 0) return; // before Publish.Start: not ours to keep
    this.session.mediaSeen();
    const tag: FlvTag = {
      type: message.typeId === MessageType.audio ? AUDIO : VIDEO,
      timestamp: message.timestamp,
      data: message.payload,
    };
    const refusal = publish.media(tag);
    if (refusal) this.refuse(refusal, endReasonFor(refusal));
  }

  private data(message: RtmpMessage): void {
    const publish = this.session.publish;
    if (!publish) return;
    const { name, body, values } = unwrapDataMessage(message);
    if (name === "@clearDataFrame") return;
    const refusal = publish.script({ type: SCRIPT, timestamp: message.timestamp, data: body }, values);
    if (refusal) this.refuse(refusal, endReasonFor(refusal));
  }
}

function endReasonFor(refusal: PublishRefusal): PublishEndReason {
  return refusal.reason === "unsupported" ? "unsupported_codec" : "disconnected";
}

/** A property of a command object, if it is a plain AMF0 object. */
function property(value: AmfValue, key: string): AmfValue {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Date)
    return undefined;
  const props = value instanceof AmfEcmaArray ? value.properties : value;
  return Object.hasOwn(props, key) ? props[key] : undefined;
}

/** Command names come from the peer: keep them short and printable in logs. */
function safeName(name: string): string {
  return name.replace(/[^\w@.-]/g, "?").slice(0, 32);
}
