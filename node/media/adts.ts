// AAC in ADTS frames (ISO/IEC 13818-7 6.2, MPEG-TS stream type 0x0F): how long a run of frames
// plays, read from their headers, so a splice knows where an audio PES of several frames ends.

/** sampling_frequency_index -> Hz (ISO/IEC 14496-3 1.6.3.4; also the AudioSpecificConfig's). */
export const AAC_SAMPLE_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
];
const SAMPLES_PER_BLOCK = 1024;
const HEADER_BYTES = 7;

/** The playing time of the ADTS frames in `bytes`, in 90 kHz ticks; null when they are not ADTS. */
export function adtsTicks(bytes: Buffer): number | null {
  let ticks = 0;
  let at = 0;
  while (at + HEADER_BYTES <= bytes.length) {
    if (bytes[at] !== 0xff || ((bytes[at + 1] as number) & 0xf6) !== 0xf0) return null;
    const rate = AAC_SAMPLE_RATES[((bytes[at + 2] as number) >> 2) & 0x0f];
    const length =
      (((bytes[at + 3] as number) & 0x03) << 11) |
      ((bytes[at + 4] as number) << 3) |
      ((bytes[at + 5] as number) >> 5);
    if (rate === undefined || length < HEADER_BYTES) return null;
    const blocks = ((bytes[at + 6] as number) & 0x03) + 1;
    ticks += (blocks * SAMPLES_PER_BLOCK * 90_000) / rate;
    at += length;
  }
  return at === 0 ? null : ticks;
}
