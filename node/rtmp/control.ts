// Protocol control messages (types 1-3, 5, 6) and User Control events (type 4): encoders that
// build ready-to-write messages, and decoders that check the body length. Pure; used on both
// ends of a connection.
import { ControlMessageError } from "./errors.js";
import { Csid, MessageType, type RtmpMessage } from "./messages.js";

export const UserControlEvent = {
  streamBegin: 0,
  streamEof: 1,
  streamDry: 2,
  setBufferLength: 3,
  streamIsRecorded: 4,
  pingRequest: 6,
  pingResponse: 7,
} as const;

/** Set Peer Bandwidth limit types. */
export const BandwidthLimit = { hard: 0, soft: 1, dynamic: 2 } as const;

export interface UserControl {
  readonly event: number;
  /** Stream id for stream events, the timestamp for pings. */
  readonly value: number;
  /** Buffer length in ms, for setBufferLength only. */
  readonly extra?: number;
}

function control(typeId: number, payload: Buffer): RtmpMessage {
  return { csid: Csid.protocolControl, timestamp: 0, typeId, streamId: 0, payload };
}

function u32(value: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}

export function setChunkSizeMessage(size: number): RtmpMessage {
  return control(MessageType.setChunkSize, u32(size & 0x7fffffff));
}
export function abortMessage(csid: number): RtmpMessage {
  return control(MessageType.abort, u32(csid));
}
export function acknowledgementMessage(sequenceNumber: number): RtmpMessage {
  return control(MessageType.acknowledgement, u32(sequenceNumber));
}
export function windowAckSizeMessage(size: number): RtmpMessage {
  return control(MessageType.windowAckSize, u32(size));
}
export function setPeerBandwidthMessage(size: number, limit: number): RtmpMessage {
  return control(MessageType.setPeerBandwidth, Buffer.concat([u32(size), Buffer.from([limit])]));
}

export function userControlMessage(event: number, value: number, extra?: number): RtmpMessage {
  const payload = Buffer.alloc(extra === undefined ? 6 : 10);
  payload.writeUInt16BE(event, 0);
  payload.writeUInt32BE(value >>> 0, 2);
  if (extra !== undefined) payload.writeUInt32BE(extra >>> 0, 6);
  return control(MessageType.userControl, payload);
}

/** The 32-bit body of types 1, 2, 3 and 5. */
export function readU32Body(message: RtmpMessage): number {
  if (message.payload.length < 4) {
    throw new ControlMessageError(
      `control message type ${message.typeId} needs 4 bytes, got ${message.payload.length}`,
    );
  }
  return message.payload.readUInt32BE(0);
}

export function readPeerBandwidth(message: RtmpMessage): { size: number; limit: number } {
  if (message.payload.length < 5) throw new ControlMessageError("Set Peer Bandwidth needs 5 bytes");
  return { size: message.payload.readUInt32BE(0), limit: message.payload.readUInt8(4) };
}

export function readUserControl(message: RtmpMessage): UserControl {
  const p = message.payload;
  if (p.length < 6) throw new ControlMessageError(`User Control needs at least 6 bytes, got ${p.length}`);
  const event = p.readUInt16BE(0);
  const value = p.readUInt32BE(2);
  if (event === UserControlEvent.setBufferLength) {
    if (p.length < 10) throw new ControlMessageError("Set Buffer Length needs 10 bytes");
    return { event, value, extra: p.readUInt32BE(6) };
  }
  return { event, value };
}
