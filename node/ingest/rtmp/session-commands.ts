// The NetConnection / NetStream commands a publisher sends, in the order ffmpeg, OBS and
// GStreamer send them: connect, releaseStream, FCPublish, createStream, publish, and at the end
// FCUnpublish / deleteStream / closeStream. Publish asks the handler; a refusal is told to the
// publisher with an onStatus error (ffmpeg prints its description) and the connection closes.
import { AmfEcmaArray, type AmfValue } from "../../rtmp/amf0.js";
import type { Command } from "../../rtmp/commands.js";
import { SessionError } from "./errors.js";
import type { PublishDecision, PublishEndReason, Publisher, PublishRefusal } from "./handler.js";
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

export class SessionCommands {
  private app: string | null = null;
  private streams = 0;
  private publishStreamId = 1;
  /** Bumped per publish attempt, so a late authorize answer for an abandoned one is ignored. */
  private attempt = 0;

  constructor(private readonly session: RtmpSession) {}

  handle(command: Command, streamId: number): void {
    if (command.name === "connect") {
      this.connect(command);
      return;
    }
    const state = this.session.state;
    if (state === "handshake" || state === "connecting") {
      throw new SessionError(`"${safeName(command.name)}" before connect`);
    }
    switch (command.name) {
      case "releaseStream":
        this.session.send(resultMessage(command.transactionId, null));
        break;
      case "FCPublish":
        this.session.send(onFcPublishMessage());
        this.session.send(resultMessage(command.transactionId, null));
        break;
      case "createStream":
        if (++this.streams > MAX_STREAMS)
          throw new SessionError(`more than ${MAX_STREAMS} createStream calls`);
        this.session.send(resultMessage(command.transactionId, this.streams));
        break;
      case "publish":
        this.publish(command, streamId);
        break;
      case "FCUnpublish":
      case "deleteStream":
      case "closeStream":
        this.unpublish();
        break;
      default:
        break; // getStreamLength, _checkbw, ...: nothing an ingest must answer
    }
  }

  /** Tells the publisher why (an onStatus error), then closes the connection. */
  refuse(refusal: PublishRefusal, endReason: PublishEndReason = "disconnected"): void {
    const code = REFUSAL_CODE[refusal.reason];
    this.session.send(onStatusMessage(this.publishStreamId, "error", code, refusal.message));
    this.session.log("info", { code, reason: refusal.reason }, "rtmp publish refused");
    this.session.close(endReason, true);
  }

  private connect(command: Command): void {
    if (this.session.state !== "connecting") throw new SessionError("a second connect on one connection");
    const app = property(command.object, "app");
    if (typeof app !== "string") throw new SessionError("connect without an app");
    // "live", "live/" and "live?token=..." all name the live application.
    this.app = (app.split("?")[0] ?? "").replace(/\/+$/, "");
    for (const reply of connectReplies(command.transactionId)) this.session.send(reply);
    this.session.to("connected");
  }

  private publish(command: Command, streamId: number): void {
    if (this.session.state !== "connected") {
      this.refuse({
        accept: false,
        reason: "already_live",
        message: "already publishing on this connection",
      });
      return;
    }
    this.publishStreamId = streamId || 1;
    const name = command.args[0];
    // "key?foo=bar": some encoders pass options after the key; the key is what comes before.
    const streamKey = typeof name === "string" ? (name.split("?")[0] ?? "") : "";
    if (this.app !== LIVE_APP) {
      this.refuse({
        accept: false,
        reason: "unknown_key",
        message: `unknown application (use /${LIVE_APP})`,
      });
      return;
    }
    if (streamKey === "") {
      this.refuse({ accept: false, reason: "unknown_key", message: "no stream key" });
      return;
    }
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
    if (!decision.accept) {
      this.refuse(decision);
      return;
    }
    try {
      const { handler, limits } = this.session.parent;
      const { channelId, input } = decision;
      const starter = {
        started: (id: string, publisher: Publisher) => handler.started(id, publisher, input),
      };
      this.session.publish = new Publish(starter, channelId, this.session.publisher, limits.probe);
      this.session.to("publishing");
      for (const reply of publishStartReplies(this.publishStreamId)) this.session.send(reply);
      this.session.log("info", { channelId, input }, "rtmp publish accepted");
    } catch (error) {
      this.session.fail(error);
    }
  }

  private unpublish(): void {
    const state = this.session.state;
    if (state !== "publishing" && state !== "authorizing") return;
    const publish = this.session.publish;
    if (publish)
      this.session.log("info", { channelId: publish.channelId, reason: "unpublished" }, "rtmp publish ended");
    publish?.end("unpublished");
    this.session.publish = null;
    this.session.to("connected");
  }
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
