import { describe, expect, it } from "vitest";
import { HevcCutIn } from "../../node/media/hevc-cut-in.js";

const CRA = 21;
const RASL_N = 8;
const RASL_R = 9;
const TRAIL_R = 1;
const IDR_W_RADL = 19;

/**
 * One frame as two packets on PID 0x100: a PES header with a PTS, an AUD, a filler NAL, and the
 * coded slice of `type`, whose start code ends the first packet and whose NAL header begins the
 * second (where a scan over one packet would not find it).
 */
function frame(type: number): Buffer[] {
  const es = Buffer.alloc(170 + 184, 0xff);
  es.set([0, 0, 1, 0x46, 0x01, 0x50, 0, 0, 1, 0x4c, 0x01]); // AUD (35), filler data (38)
  es.set([0, 0, 1], 167);
  es.set([type << 1, 0x01, 0x80], 170);
  const first = Buffer.alloc(188);
  first.set([0x47, 0x41, 0x00, 0x10, 0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5, 0x21, 0, 1, 0, 1]);
  es.copy(first, 18, 0, 170);
  const second = Buffer.alloc(188);
  second.set([0x47, 0x01, 0x00, 0x11]);
  es.copy(second, 4, 170);
  return [first, second];
}

const typeOf = (packets: Buffer[]) => ((packets[1] as Buffer)[4] as number) >> 1;

describe("HevcCutIn", () => {
  it("makes the CRA after a cut a BLA_W_LP and drops its RASL pictures, up to the first other picture", () => {
    const cutIn = new HevcCutIn();
    cutIn.cut();
    const keyframe = frame(CRA);
    expect(cutIn.frame(keyframe)).toBe("keep");
    expect(typeOf(keyframe)).toBe(16);
    expect((keyframe[1] as Buffer)[5]).toBe(0x01); // the second header byte kept
    expect(cutIn.frame(frame(RASL_N))).toBe("drop");
    expect(cutIn.frame(frame(RASL_R))).toBe("drop");
    expect(cutIn.frame(frame(TRAIL_R))).toBe("keep");
    expect(cutIn.frame(frame(RASL_N))).toBe("keep");
  });

  it("leaves an IDR cut-in and every frame without a cut as they are", () => {
    const cutIn = new HevcCutIn();
    const cra = frame(CRA);
    expect(cutIn.frame(cra)).toBe("keep");
    expect(typeOf(cra)).toBe(CRA);
    cutIn.cut();
    const idr = frame(IDR_W_RADL);
    expect(cutIn.frame(idr)).toBe("keep");
    expect(typeOf(idr)).toBe(IDR_W_RADL);
    expect(cutIn.frame(frame(RASL_N))).toBe("keep");
  });
});
