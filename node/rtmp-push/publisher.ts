// One RTMP publish connection, as a client: handshake, connect, releaseStream, FCPublish,
// createStream, publish; then media out and the server's few messages in (acknowledgements owed,
// pings, a late refusal). Built on node/rtmp's handshake, chunk reader and writer and AMF0.
//
// States and the only legal moves (anything else throws):
//   handshaking -> connecting -> creating_stream -> publishing -> live     each on the server's answer
//   any but closed -> closing                                             close() by us
//   any -> closed                                                         the socket is gone
// `open()` resolves once live (NetStream.Publish.Start) and rejects with a PushError otherwise;
// after that `ended` says how the connection ended (null: closed by us).
import type { Socket } from "node:net";
import type { RtmpTarget } from "../defs/destination.js";
import type { FlvTag } from "../defs/flv-tag.js";
import { StateMachine, type Transitions } from "../kit/state-machine.js";
import { type AmfValue, amfObject } from "../rtmp/amf0.js";
import type { ChunkCache } from "../rtmp/chunk-cache.js";
import { ChunkReader } from "../rtmp/chunk-reader.js";
import { ChunkWriter } from "../rtmp/chunk-writer.js";
import { type Command, commandMessage, decodeCommand } from "../rtmp/commands.js";
import {
  acknowledgementMessage,
  readUserControl,
  setChunkSizeMessage,
  UserControlEvent,
  userControlMessage,
  windowAckSizeMessage,
} from "../rtmp/control.js";
import { RtmpProtocolError } from "../rtmp/errors.js";
import { ClientHandshake } from "../rtmp/handshake-client.js";
import { tagMessage } from "../rtmp/media.js";
import { Csid, MessageType, type RtmpMessage } from "../rtmp/messages.js";
import { formatDestinationUrl } from "../urls/destination-url.js";
import { PushError, PushRejectedError, PushTimeoutError, PushUnreachableError } from "./errors.js";
import { openSocket, socketError } from "./socket.js";

export type PublisherState =
  | "handshaking"
  | "connecting"
  | "creating_stream"
  | "publishing"
  | "live"
  | "closing"
  | "closed";

const TRANSITIONS: Transitions<PublisherState> = {
  handshaking: ["connecting", "closing", "closed"],
  connecting: ["creating_stream", "closing", "closed"],
  creating_stream: ["publishing", "closing", "closed"],
  publishing: ["live", "closing", "closed"],
  live: ["closing", "closed"],
  closing: ["closed"],
  closed: [],
};

export interface PublisherOptions {
  readonly target: RtmpTarget;
  readonly streamKey: string;
  readonly insecureSkipVerify: boolean;
  /** The CA certificates (PEM file) that verify an RTMPS server. */
  readonly caFile: string;
  /** Each step (connect, handshake, each command's answer) must finish within this. */
  readonly stepTimeoutMs: number;
  /** Aborting it drops the connection while it is being set up (a stop before Publish.Start). */
  readonly signal: AbortSignal;
  /** Lines for the engine log; the caller redacts them. */
  readonly log: (text: string) => void;
  /** Shared with the channel's other pushes: each media message is encoded once (node/rtmp/chunk-cache.ts). */
  readonly chunks: ChunkCache;
  /** Our outgoing chunk size; default OUT_CHUNK_SIZE. */
  readonly chunkSize?: number;
}

/**
 * Large outgoing chunks: a typical frame goes out as one chunk, so a push costs few header bytes and
 * write pieces (SRS and Node-Media-Server send 60000 too; servers take any size up to 2^31 - 1).
 */
export const OUT_CHUNK_SIZE = 60_000;
/** How many bytes the server may send before it must acknowledge (ffmpeg announces the same). */
const OUT_ACK_WINDOW = 2_500_000;
/** A hang-up this soon after Publish.Start is a refusal, as the ffmpeg engine's classifier says too. */
const PUBLISH_WINDOW_MS = 2_000;
/** How long a clean close (FCUnpublish, deleteStream, FIN) may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;

/** What the server sent that a step may wait for. */
type Incoming = { readonly kind: "handshake" } | { readonly kind: "command"; readonly command: Command };

interface Waiter {
  readonly accept: (event: Incoming) => boolean;
  readonly resolve: (event: Incoming) => void;
  readonly reject: (error: PushError) => void;
}

export class RtmpPublisher {
  private readonly machine = new StateMachine<PublisherState>("rtmp publisher", TRANSITIONS, "handshaking");
  private readonly handshake = new ClientHandshake({ digest: true });
  private readonly reader = new ChunkReader();
  private readonly writer = new ChunkWriter();
  private readonly where: string;
  private transaction = 0;
  private streamId = 0;
  private waiter: Waiter | null = null;
  private failure: PushError | null = null;
  private liveAt = 0;
  private resolveEnded: (error: PushError | null) => void = () => {};
  /** How the connection ended: null when we closed it. Resolves once the socket is closed. */
  readonly ended = new Promise<PushError | null>((resolve) => {
    this.resolveEnded = resolve;
  });

  private constructor(
    private readonly socket: Socket,
    private readonly options: PublisherOptions,
  ) {
    this.where = `${options.target.host}:${options.target.port}`;
    socket.on("data", (data: Buffer) => this.onData(data));
    socket.on("error", (error) =>
      this.fail(this.refusing() ? this.hangUp() : socketError(error, this.where)),
    );
    socket.once("close", () => this.onClose());
  }

  /** Connects and publishes; resolves once the server said NetStream.Publish.Start. */
  static async open(options: PublisherOptions): Promise<RtmpPublisher> {
    const socket = await openSocket({ ...options, timeoutMs: options.stepTimeoutMs });
    const publisher = new RtmpPublisher(socket, options);
    const abort = () => socket.destroy();
    options.signal.addEventListener("abort", abort, { once: true });
    try {
      await publisher.publish();
      return publisher;
    } catch (error) {
      socket.destroy();
      throw error instanceof PushError ? error : new PushUnreachableError(String(error), { cause: error });
    } finally {
      options.signal.removeEventListener("abort", abort);
    }
  }

  get current(): PublisherState {
    return this.machine.current;
  }

  /** Bytes not yet handed to the kernel; the pump waits for `drain` while this is high. */
  get socketBuffered(): number {
    return this.socket.writableLength;
  }

  /**
   * Writes the tags (stamped by the caller) in one corked socket write: each tag's chunks are the
   * Buffer the push's ChunkCache shares with the channel's other pushes (no copy per push), handed
   * to the kernel together (writev). `flushed` is called with the byte count once the kernel has
   * taken them. Returns false when the caller should wait for `onDrain`.
   */
  writeTags(tags: readonly { tag: FlvTag; timestamp: number }[], flushed: (bytes: number) => void): boolean {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (const { tag, timestamp } of tags) {
      const chunk = this.writer.encodeShared(
        tagMessage(tag, this.streamId, timestamp),
        tag,
        this.options.chunks,
      );
      chunks.push(chunk);
      bytes += chunk.length;
    }
    const last = chunks.pop();
    if (last === undefined) return true;
    this.socket.cork();
    for (const chunk of chunks) this.socket.write(chunk);
    const room = this.socket.write(last, (error) => {
      if (!error) flushed(bytes);
    });
    this.socket.uncork();
    return room;
  }

  onDrain(callback: () => void): void {
    this.socket.once("drain", callback);
  }

  /** Ends the publish politely (FCUnpublish, deleteStream, FIN), bounded in time; resolves once closed. */
  async close(): Promise<void> {
    if (this.machine.current === "closed") return;
    if (this.machine.current === "live") {
      this.command("FCUnpublish", null, this.options.streamKey);
      this.command("deleteStream", null, this.streamId);
    }
    if (this.machine.current !== "closing") this.machine.move("closing");
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    await this.ended;
    clearTimeout(timer);
  }

  /** Drops the connection at once (a failure on our side, e.g. the feed was cut). */
  destroy(): void {
    if (this.machine.current !== "closing" && this.machine.current !== "closed") this.machine.move("closing");
    this.socket.destroy();
  }

  private async publish(): Promise<void> {
    const { target, streamKey } = this.options;
    this.socket.write(this.handshake.hello);
    await this.handshaken();
    this.machine.move("connecting");
    const connect = await this.call(
      "connect",
      amfObject({
        app: target.app,
        type: "nonprivate",
        flashVer: "FMLE/3.0 (Streamwell)",
        tcUrl: formatDestinationUrl(target),
      }),
    );
    this.refusedIfError(connect, "connect");
    this.send(windowAckSizeMessage(OUT_ACK_WINDOW));
    this.send(setChunkSizeMessage(this.options.chunkSize ?? OUT_CHUNK_SIZE));
    this.command("releaseStream", null, streamKey);
    this.command("FCPublish", null, streamKey);
    this.machine.move("creating_stream");
    const created = await this.call("createStream", null);
    this.refusedIfError(created, "createStream");
    const streamId = created.args[0];
    if (typeof streamId !== "number") throw new PushUnreachableError("createStream answered no stream id");
    this.streamId = streamId;
    this.machine.move("publishing");
    this.send(commandMessage(Csid.streamCommand, streamId, "publish", 0, null, streamKey, "live"));
    const status = await this.until("answer to publish", isPublishAnswer);
    this.refusedIfError(status, "publish");
    this.machine.move("live");
    this.liveAt = Date.now();
  }

  private refusedIfError(command: Command, step: string): void {
    const info = infoOf(command);
    if (command.name === "_error" || info.level === "error") {
      throw new PushRejectedError(`${step} refused by ${this.where}: ${describe(info)}`);
    }
  }

  /** Sends a command and waits for its _result or _error. */
  private async call(name: string, object: AmfValue, ...args: AmfValue[]): Promise<Command> {
    const id = this.command(name, object, ...args);
    const answers = (c: Command) => (c.name === "_result" || c.name === "_error") && c.transactionId === id;
    return this.until(`answer to ${name}`, answers);
  }

  private command(name: string, object: AmfValue, ...args: AmfValue[]): number {
    this.transaction += 1;
    this.send(commandMessage(Csid.command, 0, name, this.transaction, object, ...args));
    return this.transaction;
  }

  private send(message: RtmpMessage): void {
    this.socket.write(this.writer.write(message));
  }

  private async handshaken(): Promise<void> {
    await this.wait("S0, S1 and S2 of the handshake", (event) => event.kind === "handshake");
  }

  private async until(what: string, accept: (command: Command) => boolean): Promise<Command> {
    const event = await this.wait(what, (e) => e.kind === "command" && accept(e.command));
    if (event.kind !== "command") throw new Error("unreachable: a command waiter took another event");
    return event.command;
  }

  /** Waits for an incoming event `accept` takes, within the step timeout; one wait at a time. */
  private wait(what: string, accept: (event: Incoming) => boolean): Promise<Incoming> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Incoming>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        const seconds = this.options.stepTimeoutMs / 1000;
        reject(new PushTimeoutError(`${this.where} sent no ${what} within ${seconds} s`));
      }, this.options.stepTimeoutMs);
      this.waiter = {
        accept,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  private notify(event: Incoming): void {
    const waiter = this.waiter;
    if (waiter?.accept(event)) {
      this.waiter = null;
      waiter.resolve(event);
    }
  }

  private onData(data: Buffer): void {
    try {
      if (this.handshake.state !== "done") {
        const step = this.handshake.push(data);
        if (step.reply === null) return;
        this.socket.write(step.reply);
        this.notify({ kind: "handshake" });
        if (step.rest.length === 0) return;
        data = step.rest;
      }
      const { messages, acknowledgement } = this.reader.push(data);
      if (acknowledgement !== null) this.send(acknowledgementMessage(acknowledgement));
      for (const message of messages) this.onMessage(message);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const broken = error instanceof RtmpProtocolError;
      this.fail(
        new PushUnreachableError(`${this.where} ${broken ? "broke the RTMP protocol" : "failed"}: ${reason}`),
      );
      this.socket.destroy();
    }
  }

  /**
   * A malformed body is skipped, not fatal: the chunk stream is still framed, and servers send odd
   * commands we do not need (ffmpeg's listener sends onFCPublish without a transaction id).
   */
  private onMessage(message: RtmpMessage): void {
    try {
      if (message.typeId === MessageType.userControl) this.onUserControl(message);
      else if (message.typeId === MessageType.commandAmf0 || message.typeId === MessageType.commandAmf3) {
        const command = decodeCommand(message);
        if (command.name === "onStatus") this.onStatus(command);
        this.notify({ kind: "command", command });
      }
    } catch (error) {
      if (!(error instanceof RtmpProtocolError)) throw error;
      this.options.log(
        `rtmp: ignored a message of type ${message.typeId} from ${this.where}: ${error.message}`,
      );
    }
  }

  private onUserControl(message: RtmpMessage): void {
    const event = readUserControl(message);
    if (event.event === UserControlEvent.pingRequest) {
      this.send(userControlMessage(UserControlEvent.pingResponse, event.value));
    }
  }

  /** Status lines are logged; an error status once live is a refusal (e.g. a late NetStream.Publish.BadName). */
  private onStatus(command: Command): void {
    const info = infoOf(command);
    this.options.log(`rtmp: ${this.where} says ${describe(info)}`);
    if (this.machine.current === "live" && info.level === "error") {
      this.fail(new PushRejectedError(`${this.where} stopped the publish: ${describe(info)}`));
      this.socket.destroy();
    }
  }

  /** The first failure wins: it is what the connection ended with. */
  private fail(error: PushError): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(this.failure);
  }

  private onClose(): void {
    const byUs = this.machine.current === "closing";
    if (!byUs) {
      const midStream = this.machine.current === "live" && !this.refusing();
      this.fail(midStream ? new PushUnreachableError(`${this.where} closed the connection`) : this.hangUp());
    }
    this.machine.move("closed");
    this.resolveEnded(byUs && this.failure === null ? null : this.failure);
  }

  /**
   * Between the handshake and Publish.Start a lost connection is the server's answer to a command;
   * just after it, a refusal too (nginx-rtmp's `deny publish` says Publish.Start, then hangs up).
   */
  private refusing(): boolean {
    if (this.machine.current === "live") return Date.now() - this.liveAt < PUBLISH_WINDOW_MS;
    return (
      this.machine.current === "connecting" ||
      this.machine.current === "creating_stream" ||
      this.machine.current === "publishing"
    );
  }

  /** What the server closing the connection means, by the step it closed in. */
  private hangUp(): PushError {
    switch (this.machine.current) {
      case "connecting":
        return new PushRejectedError(
          `${this.where} closed the connection in answer to connect: it refused the application "${this.options.target.app}"`,
        );
      case "creating_stream":
      case "publishing":
        return new PushRejectedError(
          `${this.where} closed the connection in answer to publish: it refused the stream key or the application`,
        );
      case "live":
        return new PushRejectedError(
          `${this.where} closed the connection right after the publish started (stream key refused, or publishing not allowed?)`,
        );
      default:
        return new PushUnreachableError(`${this.where} closed the connection during the RTMP handshake`);
    }
  }
}

/** onStatus for the publish, or an _error/_result a server may answer publish with. */
function isPublishAnswer(command: Command): boolean {
  if (command.name === "_error") return true;
  if (command.name !== "onStatus") return false;
  const { code, level } = infoOf(command);
  return level === "error" || code === "NetStream.Publish.Start";
}

interface StatusInfo {
  readonly level?: string;
  readonly code?: string;
  readonly description?: string;
}

/** The info object of an onStatus or _result/_error: the first object argument. */
function infoOf(command: Command): StatusInfo {
  const info = command.args.find((arg) => typeof arg === "object" && arg !== null && !Array.isArray(arg));
  if (!info || info instanceof Date) return {};
  const read = (key: string): string | undefined => {
    const value = (info as Record<string, AmfValue>)[key];
    return typeof value === "string" ? value : undefined;
  };
  return { level: read("level"), code: read("code"), description: read("description") };
}

function describe(info: StatusInfo): string {
  const parts = [info.code, info.description].filter((p): p is string => p !== undefined && p !== "");
  return parts.length > 0 ? parts.join(": ") : "no reason given";
}
