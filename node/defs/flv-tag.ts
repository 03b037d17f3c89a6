// FLV tags: the unit the RTMP ingest produces, the hub fans out and restream engines consume.
// An FLV tag is exactly an RTMP audio (8), video (9) or data (18) message body with a timestamp.

export type TagType = 8 | 9 | 18;

export interface FlvTag {
  readonly type: TagType;
  /** Milliseconds, 32 bits (wraps like RTMP's extended timestamps). */
  readonly timestamp: number;
  readonly data: Buffer;
}
