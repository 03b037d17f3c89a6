// Cutting into an HEVC stream that is not at its start (TsSplice: the live caller back after the
// slate). Encoders such as x265 make open GOPs by default: every keyframe after the first is a CRA
// whose leading RASL pictures (NAL types 8, 9) refer to pictures before it, which the output never
// had. A CRA that is not the first picture of a stream (nor after an end of sequence a decoder
// heeds) also continues the POC numbering of what came before: ffmpeg then finds duplicate POCs and
// missing references. So the first CRA after a cut becomes a BLA_W_LP (nal_unit_type 21 -> 16: one
// byte of its NAL header), which starts a new coded video sequence with POC 0 and whose RASL
// pictures are not to be decoded, and those RASL pictures are dropped here (a decoder other than
// ffmpeg then has none to skip), up to the first picture that is not one. IDR and BLA keyframes
// need nothing. Measured on this machine's x265 and ffmpeg: docs/decisions.md.
import { packetHeader, pesStart, TS_PACKET } from "./mpegts.js";
import { firstSliceAt, hevcNalType } from "./nal.js";

const BLA_W_LP = 16;
const CRA = 21;
const RASL_N = 8;
const RASL_R = 9;
/** How far into a frame the first slice is looked for (parameter sets and SEI come first). */
const MAX_SCAN_BYTES = 64 * 1024;

/** What becomes of a frame after a cut: kept (maybe rewritten), or dropped (a RASL picture). */
export type CutInVerdict = "keep" | "drop";

export class HevcCutIn {
  private state: "keyframe" | "leading" | "done" = "done";

  /** Frames are still looked at (a cut, until its first picture that is not a RASL one). */
  get active(): boolean {
    return this.state !== "done";
  }

  /** A cut: the next frame is the new source's keyframe. */
  cut(): void {
    this.state = "keyframe";
  }

  /** One frame's packets on the video PID (a PES from its start), rewritten in place where needed. */
  frame(packets: readonly Buffer[]): CutInVerdict {
    if (!this.active) return "keep";
    const slice = firstSlice(packets);
    if (slice === null) return "keep";
    const type = hevcNalType(slice.packet[slice.at] as number);
    if (this.state === "keyframe") {
      this.state = type === CRA ? "leading" : "done";
      if (type === CRA)
        slice.packet[slice.at] = ((slice.packet[slice.at] as number) & 0x81) | (BLA_W_LP << 1);
      return "keep";
    }
    if (type === RASL_N || type === RASL_R) return "drop";
    this.state = "done";
    return "keep";
  }
}

/** A run of elementary stream bytes in a packet. */
interface Span {
  readonly packet: Buffer;
  readonly start: number;
  readonly length: number;
}

/** Where the first coded slice's NAL header byte is: the packet and the offset in it. */
function firstSlice(packets: readonly Buffer[]): { packet: Buffer; at: number } | null {
  const spans: Span[] = [];
  let scanned = 0;
  for (const packet of packets) {
    const header = packetHeader(packet);
    if (!header || header.payloadOffset >= TS_PACKET) continue;
    let start = header.payloadOffset;
    if (header.unitStart) start += pesStart(packet.subarray(start))?.dataOffset ?? 0;
    if (start >= TS_PACKET) continue;
    spans.push({ packet, start, length: TS_PACKET - start });
    scanned += TS_PACKET - start;
    if (scanned >= MAX_SCAN_BYTES) break;
  }
  const bytes = Buffer.concat(
    spans.map(({ packet, start, length }) => packet.subarray(start, start + length)),
  );
  const at = firstSliceAt(bytes, "hevc");
  return at === null ? null : locate(spans, at);
}

/** The packet and offset of byte `index` of the spans' bytes. */
function locate(spans: readonly Span[], index: number): { packet: Buffer; at: number } | null {
  let rest = index;
  for (const span of spans) {
    if (rest < span.length) return { packet: span.packet, at: span.start + rest };
    rest -= span.length;
  }
  return null;
}
