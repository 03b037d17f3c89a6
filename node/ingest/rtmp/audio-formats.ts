// FLV audio tags that are not AAC (Adobe's FLV spec v10.1, E.4.2.1 AUDIODATA; Enhanced RTMP v2's
// ExAudioTagHeader for the FourCC ones): which codec, and the rate and channels a user sees.
// MP3 says both in each frame header (ISO/IEC 11172-3 2.4.1.3); the other formats in the tag's
// first byte (SoundRate, SoundType), except Speex, which is always 16 kHz mono in FLV.
import type { AudioCodec } from "../../defs/codecs.js";

export interface AudioTrackInfo {
  readonly codec: AudioCodec;
  readonly sampleRate: number | null;
  readonly channels: number | null;
}

/** SoundFormat -> codec (10, AAC, is read from its AudioSpecificConfig; 9 is the Enhanced RTMP header). */
const SOUND_FORMATS: Record<number, AudioCodec> = {
  0: "pcm",
  1: "adpcm",
  2: "mp3",
  3: "pcm",
  4: "nellymoser",
  5: "nellymoser",
  6: "nellymoser",
  7: "g711a",
  8: "g711u",
  11: "speex",
  14: "mp3",
  15: "other",
};

/** Enhanced RTMP v2 audio FourCCs (AudioFourCc). */
const AUDIO_FOUR_CCS: Record<string, AudioCodec> = {
  ".mp3": "mp3",
  Opus: "opus",
  fLaC: "flac",
  "ac-3": "ac3",
  "ec-3": "eac3",
  mp4a: "aac",
};

const SOUND_RATES = [5512, 11025, 22050, 44100];
/** MPEG-1 rates; MPEG-2 halves them, MPEG-2.5 quarters them. */
const MP3_RATES = [44100, 48000, 32000];
const EX_AUDIO = 9;

/** A non-AAC audio tag's codec and format; null for an Enhanced RTMP FourCC we do not know. */
export function legacyAudio(data: Buffer): AudioTrackInfo | null {
  const first = data[0] as number;
  const format = first >> 4;
  if (format === EX_AUDIO) {
    const codec = data.length >= 5 ? AUDIO_FOUR_CCS[data.toString("latin1", 1, 5)] : undefined;
    return codec === undefined ? null : { codec, sampleRate: null, channels: null };
  }
  const codec = SOUND_FORMATS[format] ?? "other";
  if (codec === "mp3") return mp3Frame(data.subarray(1)) ?? { codec, sampleRate: null, channels: null };
  if (codec === "speex") return { codec, sampleRate: 16000, channels: 1 };
  // Nellymoser 16 kHz (4) and 8 kHz (5), MP3 8 kHz (14) say their rate in the format itself.
  const fixed = format === 4 ? 16000 : format === 5 ? 8000 : null;
  return {
    codec,
    sampleRate: fixed ?? SOUND_RATES[(first >> 2) & 0x03] ?? null,
    channels: (first & 0x01) + 1,
  };
}

/** Rate and channels from an MPEG audio frame header; null if `frame` does not start with one. */
export function mp3Frame(frame: Buffer): AudioTrackInfo | null {
  if (frame.length < 4 || frame[0] !== 0xff || ((frame[1] as number) & 0xe0) !== 0xe0) return null;
  const version = ((frame[1] as number) >> 3) & 0x03; // 0: MPEG-2.5, 2: MPEG-2, 3: MPEG-1
  const rateIndex = ((frame[2] as number) >> 2) & 0x03;
  const base = MP3_RATES[rateIndex];
  if (version === 1 || base === undefined) return null;
  const divisor = version === 3 ? 1 : version === 2 ? 2 : 4;
  const mono = (frame[3] as number) >> 6 === 3;
  return { codec: "mp3", sampleRate: base / divisor, channels: mono ? 1 : 2 };
}
