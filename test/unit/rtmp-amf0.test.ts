import { describe, expect, it } from "vitest";
import {
  AmfEcmaArray,
  type AmfValue,
  amfObject,
  decodeAmf0,
  decodeAmf0All,
  encodeAmf0,
  MAX_VALUES,
} from "../../node/rtmp/amf0.js";
import { decodeCommand, unwrapDataMessage } from "../../node/rtmp/commands.js";
import {
  AmfDepthError,
  AmfTooManyValuesError,
  AmfTruncatedError,
  AmfUnsupportedTypeError,
  CommandFormatError,
  RtmpProtocolError,
} from "../../node/rtmp/errors.js";
import { prng } from "../support/rtmp-fuzz-cases.js";

const SAMPLES: AmfValue[] = [
  0,
  -1.5,
  2 ** 53,
  Number.NaN,
  true,
  false,
  "",
  "live",
  "ünïcødé ✓",
  "x".repeat(70_000), // long string
  null,
  undefined,
  new Date(1_700_000_000_000),
  [],
  [1, "two", null, [3]],
  amfObject(),
  amfObject({ app: "live", tcUrl: "rtmp://h/live", nested: amfObject({ deep: amfObject({ n: 1 }) }) }),
  new AmfEcmaArray(amfObject({ duration: 0, width: 1280, encoder: "Lavf59", stereo: true })),
];

describe("AMF0 round trips", () => {
  it.each(SAMPLES.map((v, i) => [i, v]))("sample %i", (_i, value) => {
    const bytes = encodeAmf0(value);
    const decoded = decodeAmf0(bytes);
    expect(decoded.offset).toBe(bytes.length);
    expect(decoded.value).toEqual(value);
    expect(encodeAmf0(decoded.value)).toEqual(bytes);
  });

  it("encodes long strings with the long string marker", () => {
    expect(encodeAmf0("x".repeat(65_535))[0]).toBe(0x02);
    expect(encodeAmf0("x".repeat(65_536))[0]).toBe(0x0c);
  });

  it("decodes a sequence of values (a command body)", () => {
    const body = encodeAmf0("connect", 1, amfObject({ app: "live" }), null, "extra");
    expect(decodeAmf0All(body)).toEqual(["connect", 1, amfObject({ app: "live" }), null, "extra"]);
  });

  it("decodes hand-built bytes exactly", () => {
    // "onMetaData" then an ECMA array {width: 1280} whose count (99) is wrong, as some encoders write it.
    const bytes = Buffer.from(
      "02000a6f6e4d65746144617461" + "0800000063" + "0005776964746800" + "4094000000000000" + "000009",
      "hex",
    );
    expect(decodeAmf0All(bytes)).toEqual(["onMetaData", new AmfEcmaArray(amfObject({ width: 1280 }))]);
  });

  it("accepts an ECMA array that ends with the message instead of the end marker", () => {
    const bytes = Buffer.from("08000000010001610101", "hex"); // {a: true}, no 00 00 09
    expect(decodeAmf0(bytes).value).toEqual(new AmfEcmaArray(amfObject({ a: true })));
  });

  it("keeps a __proto__ key as data, without touching prototypes", () => {
    const bytes = Buffer.from(`030009${Buffer.from("__proto__").toString("hex")}0101000009`, "hex");
    const value = decodeAmf0(bytes).value as Record<string, AmfValue>;
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBeNull();
  });
});

describe("AMF0 malformed input", () => {
  it("throws AmfTruncatedError for every cut of a valid encoding", () => {
    const full = encodeAmf0(
      amfObject({ app: "live", list: [1, "a", new Date(0)], arr: new AmfEcmaArray(amfObject({ k: "v" })) }),
    );
    for (let cut = 0; cut < full.length; cut++) {
      expect(() => decodeAmf0(full.subarray(0, cut)), `cut at ${cut}`).toThrow(AmfTruncatedError);
    }
  });

  it.each([
    [0x04, "movieclip"],
    [0x07, "reference"],
    [0x0d, "unsupported"],
    [0x0f, "XML document"],
    [0x10, "typed object"],
    [0x11, "AVM+"],
    [0xff, "garbage"],
  ])("refuses marker %i (%s)", (marker) => {
    expect(() => decodeAmf0(Buffer.from([marker, 0, 0, 0, 0]))).toThrow(AmfUnsupportedTypeError);
  });

  it("refuses deep nesting before the stack does", () => {
    const nested = Buffer.concat(Array.from({ length: 10_000 }, () => Buffer.from([0x0a, 0, 0, 0, 1])));
    expect(() => decodeAmf0(nested)).toThrow(AmfDepthError);
    const objects = Buffer.concat(Array.from({ length: 10_000 }, () => Buffer.from([0x03, 0, 1, 0x61])));
    expect(() => decodeAmf0(objects)).toThrow(AmfDepthError);
  });

  it("builds at most MAX_VALUES values from one buffer: wide arrays, many keys, many values", () => {
    const nulls = (n: number): Buffer => Buffer.alloc(n, 0x05);
    const array = (n: number): Buffer =>
      Buffer.concat([Buffer.from([0x0a, 0, 0, n >> 8, n & 0xff]), nulls(n)]);
    expect((decodeAmf0(array(MAX_VALUES - 1)).value as AmfValue[]).length).toBe(MAX_VALUES - 1);
    expect(() => decodeAmf0(array(MAX_VALUES))).toThrow(AmfTooManyValuesError);
    const keys = Array.from({ length: MAX_VALUES }, (_, i) => {
      const name = Buffer.from(`k${i}`);
      return Buffer.concat([Buffer.from([0, name.length]), name, Buffer.from([0x05])]);
    });
    expect(() => decodeAmf0(Buffer.concat([Buffer.from([0x03]), ...keys]))).toThrow(AmfTooManyValuesError);
    expect(() => decodeAmf0All(nulls(MAX_VALUES + 1))).toThrow(AmfTooManyValuesError);
  });

  it("does not trust huge counts and lengths", () => {
    expect(() => decodeAmf0(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x05]))).toThrow(AmfTruncatedError);
    expect(() => decodeAmf0(Buffer.from([0x0c, 0xff, 0xff, 0xff, 0xff, 0x41]))).toThrow(AmfTruncatedError);
    expect(() => decodeAmf0(Buffer.from([0x02, 0xff, 0xff]))).toThrow(AmfTruncatedError);
  });

  it("random bytes only ever decode or throw a protocol error", () => {
    const random = prng(0x5eed);
    for (let i = 0; i < 20_000; i++) {
      const bytes = Buffer.from(
        Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)),
      );
      // Bias the first byte towards real markers, so the decoder gets past it.
      bytes[0] = Math.floor(random() * 13);
      try {
        decodeAmf0All(bytes);
      } catch (error) {
        expect(error, `case ${i}: ${bytes.toString("hex")}`).toBeInstanceOf(RtmpProtocolError);
      }
    }
  });
});

describe("commands and data messages", () => {
  const message = (typeId: number, payload: Buffer) => ({
    csid: 3,
    streamId: 0,
    timestamp: 0,
    typeId,
    payload,
  });

  it("decodes a command and its AMF3 variant", () => {
    const body = encodeAmf0("publish", 0, null, "key", "live");
    const expected = { name: "publish", transactionId: 0, object: null, args: ["key", "live"] };
    expect(decodeCommand(message(20, body))).toEqual(expected);
    expect(decodeCommand(message(17, Buffer.concat([Buffer.from([0]), body])))).toEqual(expected);
  });

  it("refuses a command without a name or transaction id", () => {
    expect(() => decodeCommand(message(20, encodeAmf0(1, 2)))).toThrow(CommandFormatError);
    expect(() => decodeCommand(message(20, encodeAmf0("connect")))).toThrow(CommandFormatError);
  });

  it("strips @setDataFrame and keeps the original bytes of the rest", () => {
    const meta = encodeAmf0("onMetaData", new AmfEcmaArray(amfObject({ width: 1280, videocodecid: 7 })));
    const wrapped = Buffer.concat([encodeAmf0("@setDataFrame"), meta]);
    const out = unwrapDataMessage(message(18, wrapped));
    expect(out.name).toBe("onMetaData");
    expect(out.body).toEqual(meta);
    expect(out.values[1]).toEqual(new AmfEcmaArray(amfObject({ width: 1280, videocodecid: 7 })));
    expect(unwrapDataMessage(message(18, meta)).body).toEqual(meta);
  });

  it("refuses a data message whose rest is malformed", () => {
    const bad = Buffer.concat([encodeAmf0("@setDataFrame", "onMetaData"), Buffer.from([0x03, 0x00])]);
    expect(() => unwrapDataMessage(message(18, bad))).toThrow(RtmpProtocolError);
  });
});
