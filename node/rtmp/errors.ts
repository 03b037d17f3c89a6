// Typed errors of the RTMP protocol layer (AMF0, handshake, chunk stream). One class per
// condition so a caller (the ingest session, later the push client) can log the kind of fault
// and close that one connection. Messages never quote payload bytes: a publish command carries
// the stream key, and a mutated one could carry it anywhere.
import { StreamwellError } from "../defs/errors.js";

/** Any violation of the RTMP or AMF0 wire format by the peer. */
export class RtmpProtocolError extends StreamwellError {}

/** An AMF0 value runs past the end of its message. */
export class AmfTruncatedError extends RtmpProtocolError {}
/** An AMF0 type marker we do not know or do not accept (AVM+, XML, typed objects, references). */
export class AmfUnsupportedTypeError extends RtmpProtocolError {}
/** AMF0 objects nested deeper than we allow (a stack-overflow guard). */
export class AmfDepthError extends RtmpProtocolError {}
/** More AMF0 values in one message than we build (a memory guard). */
export class AmfTooManyValuesError extends RtmpProtocolError {}

/** C0 asked for a version other than 3 (6 would be RTMPE, which we do not speak). */
export class HandshakeVersionError extends RtmpProtocolError {}
/** The handshake was fed bytes after it had failed or in a state that cannot take them. */
export class HandshakeStateError extends RtmpProtocolError {}

/** A chunk header announces a message longer than this connection accepts. */
export class MessageTooLargeError extends RtmpProtocolError {}
/** More chunk streams (or buffered bytes across them) than this connection accepts. */
export class TooManyChunkStreamsError extends RtmpProtocolError {}
/** Set Chunk Size outside 128..0x7fffffff. */
export class InvalidChunkSizeError extends RtmpProtocolError {}
/** A compressed chunk header (fmt 1-3) on a chunk stream that has no previous header. */
export class ChunkSequenceError extends RtmpProtocolError {}
/** A protocol control or user control message with a body too short for its type. */
export class ControlMessageError extends RtmpProtocolError {}
/** A command message that is not "name, transaction id, ..." in AMF0. */
export class CommandFormatError extends RtmpProtocolError {}
