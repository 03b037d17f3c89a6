// A restream's warnings: where its stream breaks its destination's platform preset
// (computed by node/restreams/warnings.ts, shown in the restream's view).

export const WARNING_CODES = ["keyframe_interval", "bitrate", "codec", "audio_bitrate"] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface RestreamWarning {
  readonly code: WarningCode;
  readonly message: string;
}
