// Command messages ("connect", "publish", "_result", "onStatus", ...) and data messages
// ("@setDataFrame", "onMetaData") in AMF0. The AMF3 variants (types 17 and 15) are AMF0 after
// one leading byte, which is how Flash and librtmp send them.
import { type AmfValue, decodeAmf0, decodeAmf0All, encodeAmf0 } from "./amf0.js";
import { CommandFormatError } from "./errors.js";
import { MessageType, type RtmpMessage } from "./messages.js";

export interface Command {
  readonly name: string;
  readonly transactionId: number;
  /** The command object (connect's properties; null for most others). */
  readonly object: AmfValue;
  readonly args: readonly AmfValue[];
}

/** The AMF0 body of a command or data message (skips the AMF3 variants' leading byte). */
export function amf0Body(message: RtmpMessage): Buffer {
  const amf3 = message.typeId === MessageType.commandAmf3 || message.typeId === MessageType.dataAmf3;
  return amf3 ? message.payload.subarray(1) : message.payload;
}

export function decodeCommand(message: RtmpMessage): Command {
  const values = decodeAmf0All(amf0Body(message));
  const [name, transactionId, object = null, ...args] = values;
  if (typeof name !== "string") throw new CommandFormatError("command message does not start with a name");
  if (typeof transactionId !== "number")
    throw new CommandFormatError("command message has no transaction id");
  return { name, transactionId, object, args };
}

export function commandMessage(
  csid: number,
  streamId: number,
  name: string,
  transactionId: number,
  object: AmfValue,
  ...args: AmfValue[]
): RtmpMessage {
  return {
    csid,
    streamId,
    timestamp: 0,
    typeId: MessageType.commandAmf0,
    payload: encodeAmf0(name, transactionId, object, ...args),
  };
}

/**
 * A data message with its "@setDataFrame" wrapper removed: publishers send
 * ["@setDataFrame", "onMetaData", {...}] and FLV wants ["onMetaData", {...}]. Returns the
 * handler name, the body bytes to keep (a view: the original encoding, untouched) and their
 * decoded values.
 */
export function unwrapDataMessage(message: RtmpMessage): { name: string; body: Buffer; values: AmfValue[] } {
  let body = amf0Body(message);
  let first = decodeAmf0(body, 0);
  if (first.value === "@setDataFrame") {
    body = body.subarray(first.offset);
    first = decodeAmf0(body, 0);
  }
  if (typeof first.value !== "string")
    throw new CommandFormatError("data message does not start with a name");
  // Decoding all of it throws on a malformed rest: readers downstream must not see one.
  return { name: first.value, body, values: decodeAmf0All(body) };
}
