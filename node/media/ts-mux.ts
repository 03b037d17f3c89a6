// Writing MPEG-TS (ISO/IEC 13818-1): the PAT and PMT of one program, and PES packets cut into
// 188-byte packets with continuity counters, a PCR and the random-access indicator where asked.
// The node writes MPEG-TS only where ffmpeg cannot read what the hub holds (node/media/flv-to-ts.ts).
import { SYNC_BYTE, TS_PACKET } from "./mpegts.js";

const PAYLOAD = TS_PACKET - 4;
const TWO_30 = 2 ** 30;
const TWO_33 = 2 ** 33;

export interface TsStream {
  readonly pid: number;
  readonly streamType: number;
}

/** CRC-32/MPEG-2 (polynomial 0x04C11DB7, no reflection, no final xor), as PSI sections end with. */
export function crc32Mpeg(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

/** A PSI section (table id, the fields after section_length, CRC appended). */
function section(tableId: number, tableIdExtension: number, body: Buffer): Buffer {
  const head = Buffer.from([tableId, 0, 0, tableIdExtension >> 8, tableIdExtension & 0xff, 0xc1, 0, 0]);
  const out = Buffer.concat([head, body, Buffer.alloc(4)]);
  out.writeUInt16BE(0xb000 | (out.length - 3), 1); // section_syntax_indicator, '0', reserved, length
  out.writeUInt32BE(crc32Mpeg(out.subarray(0, out.length - 4)), out.length - 4);
  return out;
}

export function patSection(pmtPid: number): Buffer {
  return section(0x00, 1, Buffer.from([0, 1, 0xe0 | (pmtPid >> 8), pmtPid & 0xff]));
}

export function pmtSection(pcrPid: number, streams: readonly TsStream[]): Buffer {
  const body = Buffer.alloc(4 + 5 * streams.length);
  body.writeUInt16BE(0xe000 | pcrPid, 0);
  body.writeUInt16BE(0xf000, 2); // program_info_length 0
  streams.forEach(({ pid, streamType }, i) => {
    body[4 + 5 * i] = streamType;
    body.writeUInt16BE(0xe000 | pid, 5 + 5 * i);
    body.writeUInt16BE(0xf000, 7 + 5 * i); // ES_info_length 0
  });
  return section(0x02, 1, body);
}

/** A 33-bit timestamp in the PES form: a 4-bit prefix and 3 + 15 + 15 bits around marker bits. */
function timestamp(prefix: number, ticks: number): Buffer {
  const value = ((ticks % TWO_33) + TWO_33) % TWO_33;
  const high = Math.floor(value / TWO_30);
  const low = value % TWO_30;
  return Buffer.from([
    (prefix << 4) | (high << 1) | 1,
    low >> 22,
    (((low >> 15) & 0x7f) << 1) | 1,
    (low >> 7) & 0xff,
    ((low & 0x7f) << 1) | 1,
  ]);
}

/** A PES packet: header with PTS (and DTS when it differs), then the elementary stream bytes. */
export function pesPacket(
  streamId: number,
  pts: number,
  dts: number,
  data: Buffer,
  bounded: boolean,
): Buffer {
  const stamps = pts === dts ? [timestamp(0x2, pts)] : [timestamp(0x3, pts), timestamp(0x1, dts)];
  const headerData = Buffer.concat(stamps);
  const length = 3 + headerData.length + data.length;
  const head = Buffer.from([0, 0, 1, streamId, 0, 0, 0x80, pts === dts ? 0x80 : 0xc0, headerData.length]);
  // Video may exceed 65,535 bytes: 0 means "unbounded", allowed for video only.
  head.writeUInt16BE(bounded && length <= 0xffff ? length : 0, 4);
  return Buffer.concat([head, headerData, data]);
}

/** The adaptation field's PCR (33-bit base, 6 reserved bits, 9-bit extension 0). */
function pcrBytes(base: number): Buffer {
  const value = ((base % TWO_33) + TWO_33) % TWO_33;
  const high = Math.floor(value / 2); // the top 32 bits
  return Buffer.from([
    high >>> 24,
    (high >>> 16) & 0xff,
    (high >>> 8) & 0xff,
    high & 0xff,
    ((value % 2) << 7) | 0x7e,
    0,
  ]);
}

/** Continuity counters per PID: each payload-carrying packet takes the next (mod 16). */
export class TsPacketizer {
  private readonly counters = new Map<number, number>();

  /** One section in one packet (PAT and PMT of one program always fit). */
  section(pid: number, data: Buffer): Buffer {
    return this.packets(pid, Buffer.concat([Buffer.from([0]), data]), {}, 0xff);
  }

  /** A PES packet cut into TS packets; the first carries the PCR and random-access flag if given. */
  pes(pid: number, pes: Buffer, options: { readonly pcr?: number; readonly randomAccess?: boolean }): Buffer {
    return this.packets(pid, pes, options, null);
  }

  private packets(
    pid: number,
    payload: Buffer,
    options: { readonly pcr?: number; readonly randomAccess?: boolean },
    fill: number | null,
  ): Buffer {
    const out: Buffer[] = [];
    let at = 0;
    while (at < payload.length) {
      const first = at === 0;
      let field: Buffer | null = null;
      if (first && (options.pcr !== undefined || options.randomAccess)) {
        const flags = (options.randomAccess ? 0x40 : 0) | (options.pcr !== undefined ? 0x10 : 0);
        field = Buffer.concat([
          Buffer.from([flags]),
          options.pcr === undefined ? Buffer.alloc(0) : pcrBytes(options.pcr),
        ]);
      }
      const room = PAYLOAD - (field === null ? 0 : 1 + field.length);
      const size = Math.min(room, payload.length - at);
      const pad = room - size;
      if (pad > 0 && fill === null) {
        // Stuffing goes in the adaptation field: PES bytes must end the packet.
        if (field !== null) field = Buffer.concat([field, Buffer.alloc(pad, 0xff)]);
        else
          field =
            pad === 1 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0]), Buffer.alloc(pad - 2, 0xff)]);
      }
      const counter = ((this.counters.get(pid) ?? 15) + 1) & 0x0f;
      this.counters.set(pid, counter);
      const head = Buffer.from([
        SYNC_BYTE,
        (first ? 0x40 : 0) | (pid >> 8),
        pid & 0xff,
        (field === null ? 0x10 : 0x30) | counter,
      ]);
      const parts = [
        head,
        ...(field === null ? [] : [Buffer.from([field.length]), field]),
        payload.subarray(at, at + size),
      ];
      if (pad > 0 && fill !== null) parts.push(Buffer.alloc(pad, fill)); // sections: 0xFF after the section
      out.push(Buffer.concat(parts));
      at += size;
    }
    return Buffer.concat(out);
  }
}
