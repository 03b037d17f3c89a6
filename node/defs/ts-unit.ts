// An MPEG-TS hub unit (node/media/ts-splitter.ts cuts them): the PAT or the PMT, or the packets
// from one video PES start to the next. Here so engines and the slate can name it (defs/ is a leaf).

export type TsUnit =
  | {
      readonly kind: "pat" | "pmt";
      /** The one packet that carried the table. */
      readonly bytes: Buffer;
      /** The table's section: equal sections mean an unchanged configuration. */
      readonly section: Buffer;
      readonly timestamp: number;
    }
  | {
      readonly kind: "media";
      /** Whole 188-byte packets. */
      readonly bytes: Buffer;
      readonly keyframe: boolean;
      /** Starts a coded video frame (not audio-only packets before the first one). */
      readonly videoFrame: boolean;
      /** Milliseconds: the video PES's PTS / 90, or the last one seen. */
      readonly timestamp: number;
      /** Bytes of the packets on the audio PID: what the audio bitrate counts. */
      readonly audioBytes: number;
    };
