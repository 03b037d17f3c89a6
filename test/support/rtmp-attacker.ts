// Hostile RTMP clients for the attack tests: raw sockets from a chosen loopback source address
// (127.0.0.0/8 is all loopback, so each attacker can be its own "host" for the per-address cap)
// that do the handshake and then misbehave. They never read what the server answers unless told.
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { amfObject } from "../../node/rtmp/amf0.js";
import { ChunkWriter } from "../../node/rtmp/chunk-writer.js";
import { commandMessage } from "../../node/rtmp/commands.js";
import { HANDSHAKE_SIZE } from "../../node/rtmp/handshake.js";
import type { RtmpMessage } from "../../node/rtmp/messages.js";
import { clientHello } from "./rtmp-client.js";

export interface Attacker {
  readonly socket: Socket;
  /** When the server accepted the TCP connection (ms since the epoch). */
  readonly openedAt: number;
  /** When the socket closed; null while open. */
  closedAt: number | null;
  /** Whether the server answered the handshake (S0 S1 S2). */
  handshaken: boolean;
}

/** Connects from `localAddress` and, if it can, completes the handshake (3 s at most). */
export async function attacker(port: number, localAddress: string): Promise<Attacker> {
  const socket = connect({ port, host: "127.0.0.1", localAddress });
  socket.on("error", () => {});
  await new Promise<void>((resolve) => {
    socket.once("connect", () => resolve());
    socket.once("close", () => resolve());
  });
  const a: Attacker = { socket, openedAt: Date.now(), closedAt: null, handshaken: false };
  socket.once("close", () => {
    a.closedAt = Date.now();
  });
  if (socket.destroyed) return a;
  socket.write(clientHello(false).bytes);
  a.handshaken = await new Promise<boolean>((resolve) => {
    let got = 0;
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.pause();
      resolve(ok);
    };
    const onData = (data: Buffer): void => {
      got += data.length;
      if (got >= 1 + 2 * HANDSHAKE_SIZE) done(true);
    };
    const timer = setTimeout(() => done(false), 3_000);
    socket.on("data", onData);
    socket.once("close", () => done(false));
  });
  if (a.handshaken) socket.write(randomBytes(HANDSHAKE_SIZE)); // C2
  return a;
}

export function encode(messages: RtmpMessage[], writer = new ChunkWriter()): Buffer {
  return Buffer.concat(messages.map((m) => writer.write(m)));
}

export function connectCommand(): Buffer {
  return encode([
    commandMessage(3, 0, "connect", 1, amfObject({ app: "live", tcUrl: "rtmp://127.0.0.1/live" })),
  ]);
}

/** Writes `bytes` in 64 KiB pieces, waiting for drain; resolves when written or the socket is gone. */
export async function writeAll(socket: Socket, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length && !socket.destroyed; at += 64 * 1024) {
    if (!socket.write(bytes.subarray(at, at + 64 * 1024))) {
      await new Promise<void>((resolve) => {
        socket.once("drain", resolve);
        socket.once("close", resolve);
      });
    }
  }
}

/**
 * A socket that does not read sees the server's close only when it writes: this writes one ping a
 * second (while nothing is queued) until the socket closes, so `closedAt` is set in time.
 */
export function noticeClose(a: Attacker): void {
  const ping = pingFlood(1);
  const timer = setInterval(() => {
    if (a.socket.destroyed) clearInterval(timer);
    else if (a.socket.writableLength === 0) a.socket.write(ping);
  }, 1_000);
  a.socket.once("close", () => clearInterval(timer));
}

/** Set Chunk Size 1, then one 8 MiB video message in 1-byte chunks: `payloadBytes` of it. */
export function chunkSizeOneFlood(payloadBytes: number): Buffer {
  const control = Buffer.from([0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  const header = Buffer.from([0x06, 0, 0, 0, 0x7f, 0xff, 0xff, 9, 1, 0, 0, 0]);
  const chunks = Buffer.alloc(1 + 2 * (payloadBytes - 1));
  for (let i = 1; i < chunks.length; i += 2) chunks[i] = 0xc6; // type 3 header on chunk stream 6
  return Buffer.concat([control, header, chunks]);
}

/** `count` Ping Requests back to back (7 bytes each after the first: type 3 headers). */
export function pingFlood(count: number): Buffer {
  const writer = new ChunkWriter();
  const ping: RtmpMessage = {
    csid: 2,
    streamId: 0,
    typeId: 4,
    timestamp: 0,
    payload: Buffer.from([0, 6, 0, 0, 0, 1]),
  };
  return Buffer.concat(Array.from({ length: count }, () => writer.write(ping)));
}
