// AMF0 (Adobe "Action Message Format", version 0): the encoding of RTMP command and data
// messages. Pure and bounds-checked: decoding a hostile buffer throws a typed error from
// ./errors.js and never reads past the end, never recurses without limit, never preallocates
// from a length the peer chose, and never builds more than MAX_VALUES values from one buffer
// (a 256 KiB command of one-byte nulls would otherwise be an array of 262,144 elements).
import {
  AmfDepthError,
  AmfTooManyValuesError,
  AmfTruncatedError,
  AmfUnsupportedTypeError,
} from "./errors.js";

export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | AmfObject
  | AmfEcmaArray
  | AmfValue[];
export interface AmfObject {
  [key: string]: AmfValue;
}

/** An associative ("ECMA") array, kept apart from a plain object so it round-trips (onMetaData uses it). */
export class AmfEcmaArray {
  constructor(readonly properties: AmfObject) {}
}

export const MARKER = {
  number: 0x00,
  boolean: 0x01,
  string: 0x02,
  object: 0x03,
  null: 0x05,
  undefined: 0x06,
  ecmaArray: 0x08,
  objectEnd: 0x09,
  strictArray: 0x0a,
  date: 0x0b,
  longString: 0x0c,
} as const;

/** Real metadata nests two or three levels; this only guards the stack. */
const MAX_DEPTH = 32;
/** Values (properties and elements included) decoded from one buffer; onMetaData has a few dozen. */
export const MAX_VALUES = 4096;

/** A null-prototype object: a key named "__proto__" from the wire stays a plain property. */
export function amfObject(entries: Record<string, AmfValue> = {}): AmfObject {
  return Object.assign(Object.create(null) as AmfObject, entries);
}

class Reader {
  private values = 0;

  constructor(
    private readonly buf: Buffer,
    public offset: number,
  ) {}

  /** Counts one more value against MAX_VALUES. */
  count(): void {
    if (++this.values > MAX_VALUES) throw new AmfTooManyValuesError(`more than ${MAX_VALUES} AMF0 values`);
  }

  private need(n: number, what: string): void {
    if (this.offset + n > this.buf.length) {
      throw new AmfTruncatedError(
        `AMF0 ${what} needs ${n} bytes at offset ${this.offset}, message ends first`,
      );
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf.readUInt8(this.offset++);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  double(what: string): number {
    this.need(8, what);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }
  utf8(length: number, what: string): string {
    this.need(length, what);
    const s = this.buf.toString("utf8", this.offset, this.offset + length);
    this.offset += length;
    return s;
  }
  atEnd(): boolean {
    return this.offset >= this.buf.length;
  }
  peek(): number | undefined {
    return this.buf[this.offset];
  }
}

function readValue(r: Reader, depth: number): AmfValue {
  if (depth > MAX_DEPTH) throw new AmfDepthError(`AMF0 values nested deeper than ${MAX_DEPTH}`);
  r.count();
  const marker = r.u8("type marker");
  switch (marker) {
    case MARKER.number:
      return r.double("number");
    case MARKER.boolean:
      return r.u8("boolean") !== 0;
    case MARKER.string:
      return r.utf8(r.u16("string length"), "string");
    case MARKER.longString:
      return r.utf8(r.u32("long string length"), "long string");
    case MARKER.object:
      return readProperties(r, depth, false);
    case MARKER.ecmaArray:
      r.u32("ECMA array count"); // encoders get it wrong; the end marker is what counts
      return new AmfEcmaArray(readProperties(r, depth, true));
    case MARKER.strictArray:
      return readStrictArray(r, depth);
    case MARKER.date: {
      const ms = r.double("date");
      r.u16("date time zone"); // reserved, always 0
      return new Date(ms);
    }
    case MARKER.null:
      return null;
    case MARKER.undefined:
      return undefined;
    default:
      throw new AmfUnsupportedTypeError(`AMF0 type marker 0x${marker.toString(16)} is not supported`);
  }
}

/** Properties up to the object-end marker (empty name, then 0x09). */
function readProperties(r: Reader, depth: number, lenientEnd: boolean): AmfObject {
  const out = amfObject();
  for (;;) {
    // Some encoders end an ECMA array with the message instead of the end marker.
    if (lenientEnd && r.atEnd()) return out;
    const key = r.utf8(r.u16("property name length"), "property name");
    if (key === "" && r.peek() === MARKER.objectEnd) {
      r.offset += 1;
      return out;
    }
    out[key] = readValue(r, depth + 1);
  }
}

function readStrictArray(r: Reader, depth: number): AmfValue[] {
  const count = r.u32("strict array count");
  const out: AmfValue[] = [];
  for (let i = 0; i < count; i++) {
    // Each element takes at least one byte: a count larger than what is left is a lie, and
    // checking per element (not preallocating) keeps a 2^32 count harmless.
    out.push(readValue(r, depth + 1));
  }
  return out;
}

/** One value at `offset`; returns it and the offset just after it. */
export function decodeAmf0(buf: Buffer, offset = 0): { value: AmfValue; offset: number } {
  const r = new Reader(buf, offset);
  const value = readValue(r, 0);
  return { value, offset: r.offset };
}

/** Every value in the buffer, in order (a command or data message body). */
export function decodeAmf0All(buf: Buffer): AmfValue[] {
  const r = new Reader(buf, 0);
  const out: AmfValue[] = [];
  while (!r.atEnd()) out.push(readValue(r, 0));
  return out;
}

function writeValue(parts: Buffer[], value: AmfValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new AmfDepthError(`AMF0 values nested deeper than ${MAX_DEPTH}`);
  if (value === null) parts.push(Buffer.from([MARKER.null]));
  else if (value === undefined) parts.push(Buffer.from([MARKER.undefined]));
  else if (typeof value === "number") {
    const b = Buffer.allocUnsafe(9);
    b[0] = MARKER.number;
    b.writeDoubleBE(value, 1);
    parts.push(b);
  } else if (typeof value === "boolean") parts.push(Buffer.from([MARKER.boolean, value ? 1 : 0]));
  else if (typeof value === "string") writeString(parts, value);
  else if (value instanceof Date) {
    const b = Buffer.alloc(11);
    b[0] = MARKER.date;
    b.writeDoubleBE(value.getTime(), 1);
    parts.push(b);
  } else if (Array.isArray(value)) {
    const b = Buffer.allocUnsafe(5);
    b[0] = MARKER.strictArray;
    b.writeUInt32BE(value.length, 1);
    parts.push(b);
    for (const item of value) writeValue(parts, item, depth + 1);
  } else if (value instanceof AmfEcmaArray) {
    const b = Buffer.allocUnsafe(5);
    b[0] = MARKER.ecmaArray;
    b.writeUInt32BE(Object.keys(value.properties).length, 1);
    parts.push(b);
    writeProperties(parts, value.properties, depth);
  } else {
    parts.push(Buffer.from([MARKER.object]));
    writeProperties(parts, value, depth);
  }
}

function writeString(parts: Buffer[], value: string): void {
  const bytes = Buffer.from(value, "utf8");
  const long = bytes.length > 0xffff;
  const head = Buffer.allocUnsafe(long ? 5 : 3);
  head[0] = long ? MARKER.longString : MARKER.string;
  if (long) head.writeUInt32BE(bytes.length, 1);
  else head.writeUInt16BE(bytes.length, 1);
  parts.push(head, bytes);
}

function writeProperties(parts: Buffer[], object: AmfObject, depth: number): void {
  for (const [key, item] of Object.entries(object)) {
    const name = Buffer.from(key, "utf8");
    if (name.length > 0xffff) throw new RangeError("AMF0 property names are at most 65535 bytes");
    const head = Buffer.allocUnsafe(2);
    head.writeUInt16BE(name.length, 0);
    parts.push(head, name);
    writeValue(parts, item, depth + 1);
  }
  parts.push(Buffer.from([0, 0, MARKER.objectEnd]));
}

/** Values one after another, as a command or data message body. */
export function encodeAmf0(...values: AmfValue[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) writeValue(parts, value, 0);
  return Buffer.concat(parts);
}
