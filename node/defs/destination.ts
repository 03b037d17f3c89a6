// Where a restream pushes, as parsed from a destination URL (node/urls/destination-url.ts).

export type DestinationKind = "rtmp" | "rtmps" | "srt";

export interface RtmpTarget {
  kind: "rtmp" | "rtmps";
  host: string;
  port: number;
  /** Path without the leading slash; may contain '/', e.g. "live" or "app/inst". */
  app: string;
}

export interface SrtTarget {
  kind: "srt";
  /** DNS name or IP; an IPv6 literal is stored without brackets. */
  host: string;
  port: number;
  latencyMs?: number;
  passphrase?: string;
  pbkeylen?: 16 | 24 | 32;
  streamid?: string;
}

export type DestinationTarget = RtmpTarget | SrtTarget;
