// The clock fields inside one 188-byte MPEG-TS packet, read and rewritten in place: the PCR of the
// adaptation field and the PTS/DTS of a PES header that starts in the packet. All are 90 kHz ticks
// of 33 bits (the PCR's 27 MHz extension is left as it is), so arithmetic on them wraps at 2^33.
import { packetHeader } from "./mpegts.js";

/** 2^33: where 90 kHz timestamps wrap. */
export const TICKS_WRAP = 2 ** 33;

/** `value` in [0, 2^33). */
export function wrapTicks(value: number): number {
  return ((value % TICKS_WRAP) + TICKS_WRAP) % TICKS_WRAP;
}

/** `a - b` across the wrap, in (-2^32, 2^32]: positive when `a` is later. */
export function ticksAfter(a: number, b: number): number {
  const d = wrapTicks(a - b);
  return d > TICKS_WRAP / 2 ? d - TICKS_WRAP : d;
}

/** Offset of the PCR in the packet, or null when it carries none. */
function pcrAt(packet: Buffer): number | null {
  const control = ((packet[3] as number) >> 4) & 0x3;
  if (!(control & 0x2) || (packet[4] as number) < 7) return null;
  return ((packet[5] as number) & 0x10) !== 0 ? 6 : null;
}

/** Where a PES header's PTS and DTS are in the packet (offsets), when a PES with them starts here. */
function pesClocks(packet: Buffer): { pts: number | null; dts: number | null } {
  const header = packetHeader(packet);
  const at = header?.payloadOffset ?? 188;
  if (!header?.unitStart || at + 14 > 188) return { pts: null, dts: null };
  if (packet[at] !== 0 || packet[at + 1] !== 0 || packet[at + 2] !== 1) return { pts: null, dts: null };
  const flags = (packet[at + 7] as number) >> 6;
  const pts = flags & 0x2 ? at + 9 : null;
  const dts = flags === 0x3 && at + 19 <= 188 ? at + 14 : null;
  return { pts, dts };
}

/** A 33-bit timestamp as a PES header writes it: 3 + 15 + 15 bits around marker bits. */
function readStamp(packet: Buffer, at: number): number {
  return (
    (((packet[at] as number) >> 1) & 0x07) * 2 ** 30 +
    ((packet[at + 1] as number) << 22) +
    (((packet[at + 2] as number) >> 1) << 15) +
    ((packet[at + 3] as number) << 7) +
    ((packet[at + 4] as number) >> 1)
  );
}

function writeStamp(packet: Buffer, at: number, value: number): void {
  const high = Math.floor(value / 2 ** 30) & 0x07;
  const low = value % 2 ** 30;
  packet[at] = ((packet[at] as number) & 0xf0) | (high << 1) | 1;
  packet[at + 1] = (low >>> 22) & 0xff;
  packet[at + 2] = (((low >>> 15) & 0x7f) << 1) | 1;
  packet[at + 3] = (low >>> 7) & 0xff;
  packet[at + 4] = ((low & 0x7f) << 1) | 1;
}

/** The timestamps a packet carries (90 kHz; null where it has none). */
export interface PacketClocks {
  readonly pcr: number | null;
  readonly pts: number | null;
  readonly dts: number | null;
}

export function clocksOf(packet: Buffer): PacketClocks {
  const pcr = pcrAt(packet);
  const { pts, dts } = pesClocks(packet);
  return {
    pcr:
      pcr === null ? null : (packet.readUInt32BE(pcr) * 2 + ((packet[pcr + 4] as number) >> 7)) % TICKS_WRAP,
    pts: pts === null ? null : readStamp(packet, pts),
    dts: dts === null ? null : readStamp(packet, dts),
  };
}

/** Moves every clock of the packet by `ticks` (90 kHz, may be negative), in place. */
export function shiftClocks(packet: Buffer, ticks: number): void {
  const pcr = pcrAt(packet);
  if (pcr !== null) {
    const base = wrapTicks(packet.readUInt32BE(pcr) * 2 + ((packet[pcr + 4] as number) >> 7) + ticks);
    packet.writeUInt32BE(Math.floor(base / 2), pcr);
    packet[pcr + 4] = ((base % 2) << 7) | ((packet[pcr + 4] as number) & 0x7f);
  }
  const { pts, dts } = pesClocks(packet);
  if (pts !== null) writeStamp(packet, pts, wrapTicks(readStamp(packet, pts) + ticks));
  if (dts !== null) writeStamp(packet, dts, wrapTicks(readStamp(packet, dts) + ticks));
}
