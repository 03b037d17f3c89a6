import { describe, expect, it } from "vitest";
import { clocksOf, shiftClocks, TICKS_WRAP, ticksAfter } from "../../node/media/ts-timing.js";

/** A packet on PID 0x100 with a PCR and the start of a PES with PTS and DTS. */
function packet(pcr: number, pts: number, dts: number): Buffer {
  const p = Buffer.alloc(188, 0xff);
  p.set([0x47, 0x41, 0x00, 0x30]); // PUSI, PID 0x100, adaptation field + payload, CC 0
  p[4] = 7; // adaptation field length
  p[5] = 0x50; // random access, PCR
  p.writeUInt32BE(Math.floor(pcr / 2), 6);
  p[10] = ((pcr % 2) << 7) | 0x7e;
  p[11] = 0;
  const pes = 12;
  p.set([0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 10], pes);
  const stamp = (at: number, prefix: number, value: number) => {
    const high = Math.floor(value / 2 ** 30);
    const low = value % 2 ** 30;
    p[at] = (prefix << 4) | (high << 1) | 1;
    p[at + 1] = (low >>> 22) & 0xff;
    p[at + 2] = (((low >>> 15) & 0x7f) << 1) | 1;
    p[at + 3] = (low >>> 7) & 0xff;
    p[at + 4] = ((low & 0x7f) << 1) | 1;
  };
  stamp(pes + 9, 3, pts);
  stamp(pes + 14, 1, dts);
  return p;
}

describe("MPEG-TS clocks in a packet", () => {
  it("reads PCR, PTS and DTS, and shifts them all, across the 33-bit wrap", () => {
    const p = packet(8_000_000_000, 8_000_009_000, 8_000_006_000);
    expect(clocksOf(p)).toEqual({ pcr: 8_000_000_000, pts: 8_000_009_000, dts: 8_000_006_000 });
    shiftClocks(p, 600_000_000);
    const wrapped = (v: number) => (v + 600_000_000) % TICKS_WRAP;
    expect(clocksOf(p)).toEqual({
      pcr: wrapped(8_000_000_000),
      pts: wrapped(8_000_009_000),
      dts: wrapped(8_000_006_000),
    });
    expect((p[21] as number) >> 4).toBe(3); // the PTS prefix bits are kept
    shiftClocks(p, -600_000_000);
    expect(clocksOf(p)).toEqual({ pcr: 8_000_000_000, pts: 8_000_009_000, dts: 8_000_006_000 });
    expect(ticksAfter(wrapped(8_000_009_000), 8_000_009_000)).toBe(600_000_000);
  });
});
