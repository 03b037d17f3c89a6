// Typed errors of the RTMP ingest that are not wire-format faults (those live in
// node/rtmp/errors.ts). Messages never carry a stream key.
import { StreamwellError } from "../../defs/errors.js";

/** A sequence header (AVC decoder configuration record, SPS, AudioSpecificConfig) that does not parse. */
export class CodecConfigError extends StreamwellError {}

/** The connection broke a rule of the session (a timeout, a command out of order). */
export class SessionError extends StreamwellError {}

/** The handler's sink threw while taking a tag: the publish ends. */
export class SinkError extends StreamwellError {}
