// A channel's two inputs: the primary stream key, and (with `backup` on) a second key for a backup
// encoder. Both may publish at once; the primary feeds the channel while it is healthy.

export const INGEST_INPUTS = ["primary", "backup"] as const;

export type IngestInput = (typeof INGEST_INPUTS)[number];
