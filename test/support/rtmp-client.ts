// A small RTMP publisher for the ingest tests, built on our own chunk writer and reader and the
// exported digest helpers (as the future push client will be): OBS-like 4096-byte chunks,
// plain or digest handshake, and raw access for hand-made byte sequences.
import { type Socket, connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { FlvTag } from "../../node/defs/flv-tag.js";
import { type AmfValue, amfObject } from "../../node/rtmp/amf0.js";
import { ChunkReader } from "../../node/rtmp/chunk-reader.js";
import { ChunkWriter } from "../../node/rtmp/chunk-writer.js";
import { type Command, commandMessage, decodeCommand } from "../../node/rtmp/commands.js";
import { setChunkSizeMessage } from "../../node/rtmp/control.js";
import {
  ClientHandshake,
  type ClientHandshakeStep,
  type ServerChecks,
} from "../../node/rtmp/handshake-client.js";
import { tagMessage } from "../../node/rtmp/media.js";
import { Csid, MessageType, type RtmpMessage } from "../../node/rtmp/messages.js";

export { clientHello } from "../../node/rtmp/handshake-client.js";

export interface ClientOptions {
  readonly tls?: boolean;
  /** Send a Flash Player-digested C1 (and a signed C2), like Flash and some hardware encoders. */
  readonly digest?: boolean;
  readonly chunkSize?: number;
}

export class TestRtmpClient {
  readonly commands: Command[] = [];
  readonly messages: RtmpMessage[] = [];
  /** Set by a digest handshake: whether S1 carried a valid server digest and S2 our signature. */
  handshakeChecks: ServerChecks | null = null;
  private readonly writer = new ChunkWriter();
  private readonly reader = new ChunkReader();
  private inbox: Buffer = Buffer.alloc(0);
  private handshakeDone = false;
  private waiters: Array<() => void> = [];
  private transaction = 1;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on("data", (data: Buffer) => this.onData(data));
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  static async connect(port: number, options: ClientOptions = {}): Promise<TestRtmpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = options.tls
        ? tlsConnect({ port, host: "127.0.0.1", rejectUnauthorized: false }, () => resolve(s))
        : tcpConnect({ port, host: "127.0.0.1" }, () => resolve(s));
      s.once("error", reject);
    });
    const client = new TestRtmpClient(socket);
    await client.handshake(options.digest ?? false);
    if (options.chunkSize) client.send(setChunkSizeMessage(options.chunkSize));
    return client;
  }

  private async handshake(digest: boolean): Promise<void> {
    const handshake = new ClientHandshake({ digest });
    this.socket.write(handshake.hello);
    let step: ClientHandshakeStep = { reply: null, rest: Buffer.alloc(0) };
    await this.until(() => {
      if (this.inbox.length > 0) step = handshake.push(this.inbox.subarray(0));
      this.inbox = Buffer.alloc(0);
      return step.reply !== null;
    }, "S0 S1 S2");
    this.socket.write(step.reply as Buffer);
    this.handshakeChecks = handshake.checks;
    this.handshakeDone = true;
    if (step.rest.length > 0) this.onData(step.rest);
  }

  private onData(data: Buffer): void {
    if (!this.handshakeDone) {
      this.inbox = Buffer.concat([this.inbox, data]);
    } else {
      for (const message of this.reader.push(data).messages) {
        this.messages.push(message);
        if (message.typeId === MessageType.commandAmf0) this.commands.push(decodeCommand(message));
      }
    }
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits (event-driven, with a deadline) until `check` holds. */
  async until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.closed) throw new Error(`connection closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  send(message: RtmpMessage): void {
    this.socket.write(this.writer.write(message));
  }

  /** Sends a command and waits for the _result/_error with its transaction id. */
  async call(name: string, object: AmfValue, ...args: AmfValue[]): Promise<Command> {
    const id = ++this.transaction;
    this.send(commandMessage(Csid.command, 0, name, id, object, ...args));
    let reply: Command | undefined;
    await this.until(() => {
      reply = this.commands.find(
        (c) => (c.name === "_result" || c.name === "_error") && c.transactionId === id,
      );
      return reply !== undefined;
    }, `${name} reply`);
    return reply as Command;
  }

  /** connect + releaseStream + FCPublish + createStream + publish, as OBS does; returns the onStatus code. */
  async publish(app: string, name: string): Promise<{ code: string; description: string; streamId: number }> {
    await this.call(
      "connect",
      amfObject({ app, type: "nonprivate", flashVer: "FMLE/3.0", tcUrl: `rtmp://x/${app}` }),
    );
    this.send(commandMessage(Csid.command, 0, "releaseStream", ++this.transaction, null, name));
    this.send(commandMessage(Csid.command, 0, "FCPublish", ++this.transaction, null, name));
    const created = await this.call("createStream", null);
    const streamId = Number(created.args[0]);
    this.send(commandMessage(Csid.streamCommand, streamId, "publish", 0, null, name, "live"));
    let status: Command | undefined;
    await this.until(() => {
      status = this.commands.find((c) => c.name === "onStatus");
      return status !== undefined;
    }, "onStatus");
    const info = (status as Command).args[0] as Record<string, AmfValue>;
    return { code: String(info.code), description: String(info.description), streamId };
  }

  /** FCUnpublish + deleteStream, as ffmpeg and OBS end a publish. */
  unpublish(name: string, streamId: number): void {
    this.send(commandMessage(Csid.command, 0, "FCUnpublish", ++this.transaction, null, name));
    this.send(commandMessage(Csid.command, 0, "deleteStream", ++this.transaction, null, streamId));
  }

  /** An FLV tag as an RTMP message on the publish stream (script tags wrapped like ffmpeg does). */
  sendTag(tag: FlvTag, streamId: number, timestampOffset = 0): void {
    this.send(tagMessage(tag, streamId, (tag.timestamp + timestampOffset) >>> 0));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** The tags of an FLV file (after the 9-byte header and PreviousTagSize0). */
export function readFlvTags(file: Buffer): FlvTag[] {
  const tags: FlvTag[] = [];
  let p = 13;
  while (p + 11 <= file.length) {
    const type = file[p] as 8 | 9 | 18;
    const size = file.readUIntBE(p + 1, 3);
    const timestamp = (file.readUIntBE(p + 4, 3) | ((file[p + 7] as number) << 24)) >>> 0;
    tags.push({ type, timestamp, data: file.subarray(p + 11, p + 11 + size) });
    p += 11 + size + 4;
  }
  return tags;
}
