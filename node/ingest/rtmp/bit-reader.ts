// MSB-first bit reader with Exp-Golomb codes, for H.264 SPS and AAC AudioSpecificConfig.
// Bounds-checked: reading past the end throws CodecConfigError.
import { CodecConfigError } from "./errors.js";

export class BitReader {
  private bit = 0;

  constructor(private readonly buf: Buffer) {}

  get bitsLeft(): number {
    return this.buf.length * 8 - this.bit;
  }

  u(n: number): number {
    if (n > this.bitsLeft) throw new CodecConfigError(`needs ${n} more bits, ${this.bitsLeft} left`);
    let value = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.buf[this.bit >> 3] as number;
      value = value * 2 + ((byte >> (7 - (this.bit & 7))) & 1);
      this.bit++;
    }
    return value;
  }

  flag(): boolean {
    return this.u(1) === 1;
  }

  /** Unsigned Exp-Golomb (ue(v)). */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      if (++zeros > 31) throw new CodecConfigError("Exp-Golomb code longer than 32 bits");
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed Exp-Golomb (se(v)). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}

/** NAL unit payload without emulation prevention bytes (00 00 03 -> 00 00). */
export function unescapeRbsp(nal: Buffer): Buffer {
  const out = Buffer.allocUnsafe(nal.length);
  let n = 0;
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[n++] = byte;
  }
  return out.subarray(0, n);
}
