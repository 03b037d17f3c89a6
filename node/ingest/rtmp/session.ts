// One RTMP(S) ingest connection: bytes -> handshake -> chunk stream -> messages, and the
// connection's life (timeouts, closing, exactly one sink end). What the messages mean (connect,
// publish, media) is in ./session-messages.ts; this file owns the socket and the state.
//
// Any fault of the peer (malformed bytes, oversize message, command out of order, silence)
// closes this connection only, with one log line that never holds the stream key.
import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import { ChunkReader } from "../../rtmp/chunk-reader.js";
import { ChunkWriter } from "../../rtmp/chunk-writer.js";
import { acknowledgementMessage, UserControlEvent, userControlMessage } from "../../rtmp/control.js";
import { RtmpProtocolError } from "../../rtmp/errors.js";
import { ServerHandshake } from "../../rtmp/handshake.js";
import type { RtmpMessage } from "../../rtmp/messages.js";
import { CodecConfigError, SessionError, SinkError } from "./errors.js";
import type { IngestHandler, PublishEndReason, Publisher } from "./handler.js";
import type { IngestLog, SessionLimits } from "./options.js";
import type { Publish } from "./publish.js";
import { SessionMessages } from "./session-messages.js";
import { type SessionState, sessionStateMachine } from "./session-state.js";

/** What a session needs from its server (a narrow parent). */
export interface SessionParent {
  readonly handler: IngestHandler;
  readonly log: IngestLog;
  readonly limits: SessionLimits;
  closed(session: RtmpSession): void;
}

/** After a graceful end (a refusal we want the peer to read), how long before we destroy. */
const LINGER_MS = 2_000;

export class RtmpSession {
  readonly id: string = randomUUID();
  readonly publisher: Publisher;
  private readonly fsm = sessionStateMachine();
  private readonly handshake = new ServerHandshake();
  private readonly reader: ChunkReader;
  private readonly writer = new ChunkWriter();
  private readonly messages: SessionMessages;
  private idleTimer: NodeJS.Timeout | null = null;
  private handshakeTimer: NodeJS.Timeout | null = null;
  /** Armed at accept and when a publish ends; only an accepted publish clears it. */
  private publishTimer: NodeJS.Timeout | null = null;
  /** Replies to the bytes being handled, written as one buffer when they are done (see onData). */
  private outbox: Buffer[] | null = null;
  /** The last Ping Request of the bytes being handled: one answer per read, however many came. */
  private pendingPong: number | null = null;
  /**
   * While publishing, when media last came (performance.now()): the media watchdog re-arms from it
   * when it fires, instead of being refreshed by every message (a timer list move per message).
   */
  private lastMediaAt = 0;
  /** The accepted publish, while there is one. */
  publish: Publish | null = null;

  constructor(
    private readonly socket: Socket,
    secure: boolean,
    readonly parent: SessionParent,
  ) {
    this.publisher = {
      id: this.id,
      remoteAddress: socket.remoteAddress ?? "unknown",
      secure,
      disconnect: () => this.close("replaced"),
    };
    this.reader = new ChunkReader(parent.limits.reader);
    this.messages = new SessionMessages(this);
  }

  get state(): SessionState {
    return this.fsm.current;
  }

  get closed(): boolean {
    return this.fsm.current === "closed";
  }

  /** Called by the server once per accepted socket. */
  start(): void {
    this.socket.setNoDelay(true);
    this.socket.on("data", (data: Buffer) => this.onData(data));
    this.socket.on("end", () => this.close("disconnected"));
    this.socket.on("error", () => this.close("disconnected"));
    this.socket.on("close", () => this.close("disconnected"));
    const { handshakeTimeoutMs, idleTimeoutMs } = this.parent.limits;
    this.handshakeTimer = setTimeout(() => this.timeout("handshake"), handshakeTimeoutMs);
    this.idleTimer = setTimeout(() => this.timeout("idle"), idleTimeoutMs);
    this.armPublishDeadline();
  }

  to(next: SessionState): void {
    const from = this.fsm.current;
    this.fsm.move(next);
    if (next === "publishing") {
      this.clearPublishDeadline();
      this.reader.trustLengths(); // the publisher proved a stream key
      this.mediaSeen();
      this.resetIdle(this.parent.limits.mediaTimeoutMs);
    }
    if (next === "connected") {
      if (from === "publishing") this.armPublishDeadline();
      this.resetIdle(this.parent.limits.idleTimeoutMs);
    }
  }

  send(message: RtmpMessage): void {
    const bytes = this.writer.write(message);
    if (this.outbox) this.outbox.push(bytes);
    else this.write(bytes);
  }

  /** Answers a Ping Request: at once, or once for the whole read being handled. */
  pong(value: number): void {
    if (this.outbox) this.pendingPong = value;
    else this.send(userControlMessage(UserControlEvent.pingResponse, value));
  }

  /** Media arrived: the publishing watchdog counts its silence from now. */
  mediaSeen(): void {
    this.lastMediaAt = performance.now();
  }

  log(level: "info" | "warn", fields: Record<string, unknown>, message: string): void {
    this.parent.log[level](
      { session: this.id, remoteAddress: this.publisher.remoteAddress, ...fields },
      message,
    );
  }

  /**
   * Ends the connection (idempotent). `graceful` lets queued replies (a refusal's onStatus)
   * reach the peer before the socket goes.
   */
  close(reason: PublishEndReason, graceful = false): void {
    if (this.fsm.current === "closed") return;
    if (graceful) this.flush(); // the refusal the peer should read
    this.fsm.move("closed");
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.clearPublishDeadline();
    try {
      if (this.publish && this.publish.state !== "ended") {
        this.log("info", { channelId: this.publish.channelId, reason }, "rtmp publish ended");
      }
      this.publish?.end(reason);
    } catch (error) {
      this.log("warn", { error: errorName(error) }, "rtmp sink end threw");
    }
    this.publish = null;
    if (graceful && !this.socket.destroyed) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
    } else {
      this.socket.destroy();
    }
    this.parent.closed(this);
  }

  /**
   * One socket read: its replies (the handshake, acknowledgements, ping answers, command results)
   * are gathered and written once at the end, and its pings get one answer (the last). A peer that
   * packs thousands of pings into one read costs one small write, not thousands of syscalls
   * (1,000,000 pings took 10 s of the event loop) nor thousands of reply buffers.
   */
  private onData(data: Buffer): void {
    if (this.fsm.current === "closed") return;
    this.outbox = [];
    try {
      this.handle(data);
    } finally {
      this.flush();
    }
  }

  private flush(): void {
    if (this.pendingPong !== null && this.outbox) {
      this.outbox.push(
        this.writer.write(userControlMessage(UserControlEvent.pingResponse, this.pendingPong)),
      );
      this.pendingPong = null;
    }
    const pending = this.outbox;
    this.outbox = null;
    if (pending && pending.length > 0)
      this.write(pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending));
  }

  private handle(data: Buffer): void {
    if (this.fsm.current !== "publishing") this.idleTimer?.refresh();
    try {
      let rest = data;
      if (this.fsm.current === "handshake") {
        const step = this.handshake.push(data);
        if (step.reply) this.outbox?.push(step.reply);
        if (this.handshake.state !== "done") return;
        if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
        this.fsm.move("connecting");
        rest = step.rest;
        if (rest.length === 0) return;
      }
      const { messages, acknowledgement } = this.reader.push(rest);
      if (acknowledgement !== null) this.send(acknowledgementMessage(acknowledgement));
      for (const message of messages) {
        if (this.closed) return; // an earlier message in this batch ended the connection
        this.messages.handle(message);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /** A fault while handling bytes: classify it, log it without payload, close. */
  fail(error: unknown): void {
    if (this.fsm.current === "closed") return;
    const reason: PublishEndReason = error instanceof SinkError ? "sink_error" : "protocol_error";
    const known =
      error instanceof RtmpProtocolError ||
      error instanceof CodecConfigError ||
      error instanceof SessionError ||
      error instanceof SinkError;
    this.log(
      "warn",
      {
        error: errorName(error),
        detail: known ? (error as Error).message : undefined,
        state: this.fsm.current,
      },
      "rtmp connection closed on error",
    );
    this.close(reason);
  }

  /**
   * Every reply goes out here, with back-pressure: a peer that sends requests (pings, commands)
   * but does not read the answers is not read from until its socket drains, so what we queue for
   * it stays near `maxQueuedReplyBytes` (ping replies once queued without bound).
   */
  private write(bytes: Buffer): void {
    const socket = this.socket;
    if (this.fsm.current === "closed" || socket.destroyed) return;
    socket.write(bytes);
    if (socket.writableLength <= this.parent.limits.maxQueuedReplyBytes || socket.isPaused()) return;
    socket.pause();
    socket.once("drain", () => {
      if (!this.closed) socket.resume();
    });
  }

  private armPublishDeadline(): void {
    this.clearPublishDeadline();
    this.publishTimer = setTimeout(() => this.timeout("publish"), this.parent.limits.publishDeadlineMs);
  }

  private clearPublishDeadline(): void {
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = null;
  }

  private timeout(which: "handshake" | "idle" | "publish"): void {
    if (which === "idle" && this.fsm.current === "publishing") {
      const left = this.lastMediaAt + this.parent.limits.mediaTimeoutMs - performance.now();
      if (left > 0) {
        this.idleTimer = setTimeout(() => this.timeout("idle"), left);
        return;
      }
    }
    const what = which !== "idle" ? which : this.fsm.current === "publishing" ? "media" : "idle";
    this.log("warn", { timeout: what, state: this.fsm.current }, "rtmp connection timed out");
    this.close("timeout");
  }

  private resetIdle(ms: number): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.timeout("idle"), ms);
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
