// What an ingest connection does with each message: commands go to ./session-commands.ts;
// pings are answered; audio, video and metadata feed the accepted publish (and are dropped
// before Publish.Start: not ours to keep).

import type { FlvTag } from "../../defs/flv-tag.js";
import { AUDIO, SCRIPT, VIDEO } from "../../media/flv.js";
import { decodeCommand, unwrapDataMessage } from "../../rtmp/commands.js";
import { readUserControl, UserControlEvent } from "../../rtmp/control.js";
import { MessageType, type RtmpMessage } from "../../rtmp/messages.js";
import type { PublishEndReason, PublishRefusal } from "./handler.js";
import type { RtmpSession } from "./session.js";
import { SessionCommands } from "./session-commands.js";

export class SessionMessages {
  private readonly commands: SessionCommands;

  constructor(private readonly session: RtmpSession) {
    this.commands = new SessionCommands(session);
  }

  handle(message: RtmpMessage): void {
    switch (message.typeId) {
      case MessageType.audio:
      case MessageType.video:
        this.media(message);
        break;
      case MessageType.dataAmf0:
      case MessageType.dataAmf3:
        this.data(message);
        break;
      case MessageType.commandAmf0:
      case MessageType.commandAmf3:
        this.commands.handle(decodeCommand(message), message.streamId);
        break;
      case MessageType.userControl:
        this.userControl(message);
        break;
      default:
        // Chunk-layer control was applied by the reader; acks, bandwidth, shared objects and
        // aggregates mean nothing to an ingest.
        break;
    }
  }

  private userControl(message: RtmpMessage): void {
    const event = readUserControl(message);
    if (event.event === UserControlEvent.pingRequest) {
      this.session.pong(event.value);
    }
  }

  private media(message: RtmpMessage): void {
    const publish = this.session.publish;
    if (!publish || message.payload.length === 0) return;
    this.session.mediaSeen();
    const tag: FlvTag = {
      type: message.typeId === MessageType.audio ? AUDIO : VIDEO,
      timestamp: message.timestamp,
      data: message.payload,
    };
    this.refused(publish.media(tag));
  }

  private data(message: RtmpMessage): void {
    const publish = this.session.publish;
    if (!publish) return;
    const { name, body, values } = unwrapDataMessage(message);
    if (name === "@clearDataFrame") return;
    this.refused(publish.script({ type: SCRIPT, timestamp: message.timestamp, data: body }, values));
  }

  private refused(refusal: PublishRefusal | null): void {
    if (!refusal) return;
    const reason: PublishEndReason = refusal.reason === "unsupported" ? "unsupported_codec" : "disconnected";
    this.commands.refuse(refusal, reason);
  }
}
