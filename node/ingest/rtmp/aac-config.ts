// The AAC AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) an RTMP publisher sends as its audio
// sequence header: sample rate and channel count for the channel's codecs.
import { AAC_SAMPLE_RATES as RATES } from "../../media/adts.js";
import { BitReader } from "./bit-reader.js";
import { CodecConfigError } from "./errors.js";

export interface AacInfo {
  readonly objectType: number;
  readonly sampleRate: number;
  /** null when a program config element defines them (channel configuration 0). */
  readonly channels: number | null;
}

/** channelConfiguration -> channels (7 is 7.1; 11-14 from the 2009+ amendments). */
const CHANNELS: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  6: 6,
  7: 8,
  11: 7,
  12: 8,
  13: 24,
  14: 8,
};
const SBR = 5;
const PS = 29;

function objectType(r: BitReader): number {
  const type = r.u(5);
  return type === 31 ? 32 + r.u(6) : type;
}

function sampleRate(r: BitReader): number {
  const index = r.u(4);
  if (index === 15) return r.u(24); // explicit frequency
  const rate = RATES[index];
  if (rate === undefined) throw new CodecConfigError(`reserved AAC sampling frequency index ${index}`);
  return rate;
}

export function parseAudioSpecificConfig(config: Buffer): AacInfo {
  const r = new BitReader(config);
  let type = objectType(r);
  let rate = sampleRate(r);
  const channelConfig = r.u(4);
  let channels = CHANNELS[channelConfig] ?? null;
  if (type === SBR || type === PS) {
    // HE-AAC signalled explicitly: decoders output at the extension (SBR) rate, and PS makes stereo.
    rate = sampleRate(r);
    if (type === PS) channels = 2;
    type = objectType(r);
  }
  if (rate <= 0) throw new CodecConfigError("AAC sample rate of 0");
  return { objectType: type, sampleRate: rate, channels };
}
