// Errors of the channel hub. They extend the node's StreamwellError so the service edge maps them
// like any other runtime error.
import { StreamwellError } from "../defs/errors.js";

/** The ingest wrote to a hub after `end()`: a new publisher gets a new hub. */
export class HubEndedError extends StreamwellError {}

/** A reader's FLV stream was destroyed because its consumer fell too far behind (the "cut" policy). */
export class ReaderCutError extends StreamwellError {}
