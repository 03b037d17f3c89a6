// The byte formats a channel's media travels in on a node: FLV from the RTMP ingest, MPEG-TS from
// the SRT ingest. The hub fans out units of either; engines read the bytes of one.
export type Container = "flv" | "mpegts";
