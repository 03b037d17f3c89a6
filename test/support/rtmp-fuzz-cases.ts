// Random and mutated RTMP byte sequences for the ingest fuzz test: deterministic from a seed, so
// a failure can be replayed. Each case is what one short connection sends.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { AmfEcmaArray, amfObject, encodeAmf0 } from "../../node/rtmp/amf0.js";
import { ChunkWriter } from "../../node/rtmp/chunk-writer.js";
import { commandMessage } from "../../node/rtmp/commands.js";
import {
  abortMessage,
  setChunkSizeMessage,
  userControlMessage,
  windowAckSizeMessage,
} from "../../node/rtmp/control.js";
import { HANDSHAKE_SIZE } from "../../node/rtmp/handshake.js";
import type { RtmpMessage } from "../../node/rtmp/messages.js";
import { clientHello } from "./rtmp-client.js";

export interface FuzzCase {
  readonly kind: string;
  /** Sent in order; between phases the runner waits for the server's publish answer. */
  readonly phases: Buffer[];
  /** Write in small random pieces (exercises every partial-header path). */
  readonly trickle: boolean;
}

export type Random = () => number;

export function prng(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/rtmp/${name}`, import.meta.url));
const AVC = fixture("avc-high-1280x720.bin");
const AAC = fixture("aac-48000-stereo.bin");

const int = (r: Random, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Random, items: readonly T[]): T => items[int(r, items.length)] as T;
function bytes(r: Random, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = int(r, 256);
  return out;
}

function handshake(r: Random): Buffer {
  const hello = clientHello(r() < 0.5).bytes;
  return Buffer.concat([hello, randomBytes(HANDSHAKE_SIZE)]);
}

/** A writer that already uses `size` (after the Set Chunk Size it sent). */
function chunked(size: number): ChunkWriter {
  const writer = new ChunkWriter();
  writer.write(setChunkSizeMessage(size));
  return writer;
}

function encode(messages: RtmpMessage[], writer = new ChunkWriter()): Buffer {
  return Buffer.concat(messages.map((m) => writer.write(m)));
}

/** One message as a single type 0 chunk, whatever its body (the writer would refuse bad control bodies). */
function raw(typeId: number, payload: Buffer): Buffer {
  const header = Buffer.from([0x02, 0, 0, 0, 0, 0, 0, typeId, 0, 0, 0, 0]);
  header.writeUIntBE(payload.length, 4, 3);
  return Buffer.concat([header, payload.subarray(0, 128)]);
}

/** A whole publish (command phase, then media phase) as ffmpeg would send it. */
function session(r: Random): { commands: Buffer; media: Buffer } {
  const writer = new ChunkWriter();
  const chunkSize = pick(r, [128, 200, 4096, 65536]);
  const commands = encode(
    [
      setChunkSizeMessage(chunkSize),
      commandMessage(
        3,
        0,
        "connect",
        1,
        amfObject({ app: "live", tcUrl: "rtmp://127.0.0.1/live", flashVer: "FMLE/3.0" }),
      ),
      commandMessage(3, 0, "releaseStream", 2, null, "fuzz-key"),
      commandMessage(3, 0, "FCPublish", 3, null, "fuzz-key"),
      commandMessage(3, 0, "createStream", 4, null),
      commandMessage(5, 1, "publish", 5, null, "fuzz-key", "live"),
    ],
    writer,
  );
  const meta = encodeAmf0(
    "@setDataFrame",
    "onMetaData",
    new AmfEcmaArray(amfObject({ videocodecid: 7, audiocodecid: 10 })),
  );
  const media: RtmpMessage[] = [
    { csid: 4, streamId: 1, typeId: 18, timestamp: 0, payload: meta },
    { csid: 7, streamId: 1, typeId: 9, timestamp: 0, payload: AVC },
    { csid: 6, streamId: 1, typeId: 8, timestamp: 0, payload: AAC },
  ];
  for (let i = 0, n = 1 + int(r, 6); i < n; i++) {
    const key = i === 0;
    const frame = Buffer.concat([Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0]), bytes(r, key ? 3000 : 300)]);
    media.push({ csid: 7, streamId: 1, typeId: 9, timestamp: i * 33, payload: frame });
    media.push({
      csid: 6,
      streamId: 1,
      typeId: 8,
      timestamp: i * 21,
      payload: Buffer.from([0xaf, 1, 0x21, 0x10]),
    });
  }
  if (r() < 0.5) {
    media.push(
      commandMessage(3, 0, "FCUnpublish", 6, null, "fuzz-key"),
      commandMessage(3, 0, "deleteStream", 7, null, 1),
    );
  }
  return { commands, media: encode(media, writer) };
}

function mutate(r: Random, buf: Buffer, edits: number): Buffer {
  const out = Buffer.from(buf);
  for (let i = 0; i < edits && out.length > 0; i++) {
    const at = int(r, out.length);
    const how = r();
    if (how < 0.5) out[at] = int(r, 256);
    else if (how < 0.8) out[at] = (out[at] as number) ^ (1 << int(r, 8));
    else out[at] = pick(r, [0, 0xff, 0x7f, 0x80, 0x03, 0x09]);
  }
  return out;
}

const GENERATORS: Record<string, (r: Random) => Pick<FuzzCase, "phases">> = {
  randomBytes: (r) => ({ phases: [bytes(r, 1 + int(r, 3000))] }),
  badVersion: (r) => ({
    phases: [Buffer.concat([Buffer.from([pick(r, [0, 6, 8, 0xff])]), bytes(r, 1536 * 2)])],
  }),
  handshakeThenRandom: (r) => ({ phases: [Buffer.concat([handshake(r), bytes(r, 1 + int(r, 3000))])] }),
  mutatedHandshake: (r) => ({ phases: [mutate(r, handshake(r), 1 + int(r, 20))] }),
  mutatedSession: (r) => {
    const s = session(r);
    const edits = 1 + int(r, 8);
    return {
      phases: [Buffer.concat([handshake(r), mutate(r, s.commands, edits)]), mutate(r, s.media, edits)],
    };
  },
  mutatedMedia: (r) => {
    const s = session(r);
    return { phases: [Buffer.concat([handshake(r), s.commands]), mutate(r, s.media, 1 + int(r, 12))] };
  },
  truncatedSession: (r) => {
    const s = session(r);
    const all = Buffer.concat([s.commands, s.media]);
    const cut = int(r, all.length);
    return {
      phases: [
        Buffer.concat([handshake(r), all.subarray(0, Math.min(cut, s.commands.length))]),
        all.subarray(Math.min(cut, s.commands.length), cut),
      ],
    };
  },
  splicedSession: (r) => {
    const s = session(r);
    const at = int(r, s.media.length);
    return {
      phases: [
        Buffer.concat([handshake(r), s.commands]),
        Buffer.concat([s.media.subarray(0, at), bytes(r, 1 + int(r, 200)), s.media.subarray(at)]),
      ],
    };
  },
  validSession: (r) => {
    const s = session(r);
    return { phases: [Buffer.concat([handshake(r), s.commands]), s.media] };
  },
  hugeMessageLength: (r) => {
    const header = Buffer.from([0x03, 0, 0, 0, 0, 0, 0, 9, 1, 0, 0, 0]);
    header.writeUIntBE(8 * 1024 * 1024 + 1 + int(r, 0xffffff - 8 * 1024 * 1024), 4, 3);
    return { phases: [Buffer.concat([handshake(r), header, bytes(r, int(r, 5000))])] };
  },
  hugeChunkSize: (r) => {
    const size = pick(r, [0x7fffffff, 0, 0x80000000, 0xffffffff, 1 + int(r, 0x7ffffffe)]);
    const header = Buffer.from([0x06, 0, 0, 0, 0, 0, 0, 9, 1, 0, 0, 0]);
    header.writeUIntBE(int(r, 8 * 1024 * 1024), 4, 3);
    const control = encode([setChunkSizeMessage(1)]);
    control.writeUInt32BE(size >>> 0, control.length - 4);
    return { phases: [Buffer.concat([handshake(r), control, header, bytes(r, int(r, 60_000))])] };
  },
  chunkStreamFlood: (r) => {
    const parts: Buffer[] = [handshake(r)];
    for (let i = 0, n = 10 + int(r, 150); i < n; i++) {
      const csid = 320 + int(r, 65_000);
      const v = csid - 64;
      parts.push(Buffer.from([0x01, v & 0xff, v >> 8, 0, 0, 0, 0, 0x10, 0, 9, 1, 0, 0, 0]), bytes(r, 128));
    }
    return { phases: [Buffer.concat(parts)] };
  },
  amfGarbage: (r) => {
    const payload = pick(r, [
      Buffer.concat([encodeAmf0("connect", 1), Buffer.from("03000161".repeat(500), "hex")]), // deep nesting
      Buffer.concat([encodeAmf0("connect", 1), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff])]),
      Buffer.concat([encodeAmf0("connect", 1), Buffer.from([0x0c, 0xff, 0xff, 0xff, 0xff, 1])]),
      Buffer.concat([encodeAmf0("connect"), bytes(r, int(r, 300))]),
      mutate(r, encodeAmf0("connect", 1, amfObject({ app: "live", tcUrl: "rtmp://x/live" })), 1 + int(r, 6)),
      bytes(r, int(r, 300)),
    ]);
    const typeId = pick(r, [20, 17, 18, 15]);
    return {
      phases: [
        Buffer.concat([handshake(r), encode([{ csid: 3, streamId: 0, typeId, timestamp: 0, payload }])]),
      ],
    };
  },
  controlAbuse: (r) => {
    const parts: Buffer[] = [handshake(r)];
    for (let i = 0, n = 1 + int(r, 30); i < n; i++) {
      parts.push(
        pick(r, [
          encode([windowAckSizeMessage(int(r, 3))]),
          encode([abortMessage(int(r, 70_000))]),
          encode([userControlMessage(int(r, 10), int(r, 1000))]),
          raw(pick(r, [1, 2, 3, 4, 5, 6]), bytes(r, int(r, 4))),
          raw(pick(r, [16, 19, 22, 0, 255]), bytes(r, int(r, 64))),
        ]),
      );
    }
    return { phases: [Buffer.concat(parts)] };
  },
  // Set Chunk Size under 128, then a big message in tiny chunks (one Buffer per byte, once).
  tinyChunkSize: (r) => {
    const size = 1 + int(r, 127);
    const control = encode([setChunkSizeMessage(128)]);
    control.writeUInt32BE(size, control.length - 4);
    const header = Buffer.from([0x06, 0, 0, 0, 0x10, 0, 0, 9, 1, 0, 0, 0]);
    const chunks: Buffer[] = [bytes(r, size)];
    for (let i = 0, n = 100 + int(r, 400); i < n; i++) chunks.push(Buffer.from([0xc6]), bytes(r, size));
    return { phases: [Buffer.concat([handshake(r), control, header, ...chunks])] };
  },
  // Partial messages on many chunk streams at the smallest chunk size: objects, not bytes.
  partialFlood: (r) => {
    const parts: Buffer[] = [handshake(r)];
    for (let csid = 3; csid < 3 + 10 + int(r, 50); csid++) {
      const header = Buffer.from([csid, 0, 0, 0, 0x7f, 0xff, 0xff, pick(r, [8, 9, 22]), 1, 0, 0, 0]);
      parts.push(header, bytes(r, 128));
      for (let i = 0, n = int(r, 20); i < n; i++) parts.push(Buffer.from([0xc0 | csid]), bytes(r, 128));
    }
    return { phases: [Buffer.concat(parts)] };
  },
  // Thousands of Ping Requests in one write: one batched answer per read, not one write each.
  pingFlood: (r) => {
    const ping = userControlMessage(6, int(r, 1_000_000));
    const writer = new ChunkWriter();
    const pings = Array.from({ length: 200 + int(r, 1000) }, () => writer.write(ping));
    return { phases: [Buffer.concat([handshake(r), ...pings])] };
  },
  // AMF within the command size cap but wide: arrays of nulls, objects with thousands of keys,
  // and commands over the cap.
  amfBomb: (r) => {
    const n = 1000 + int(r, 4000);
    const head = encodeAmf0("connect", 1);
    const payload = pick(r, [
      Buffer.concat([head, Buffer.from([0x0a, 0, 0, n >> 8, n & 0xff]), Buffer.alloc(n, 0x05)]),
      Buffer.concat([
        head,
        Buffer.from([0x03]),
        ...Array.from({ length: n }, (_, i) =>
          Buffer.concat([
            Buffer.from([0, 6]),
            Buffer.from(`k${String(i).padStart(5, "0")}`),
            Buffer.from([5]),
          ]),
        ),
      ]),
      Buffer.concat([head, Buffer.alloc(256 * 1024 + int(r, 4096), 0x05)]),
    ]);
    return {
      phases: [
        Buffer.concat([
          handshake(r),
          encode([setChunkSizeMessage(65536)]),
          encode([{ csid: 3, streamId: 0, typeId: 20, timestamp: 0, payload }], chunked(65536)),
        ]),
      ],
    };
  },
  commandsOutOfOrder: (r) => {
    const names = [
      "publish",
      "createStream",
      "connect",
      "FCUnpublish",
      "deleteStream",
      "play",
      "releaseStream",
      "closeStream",
    ];
    const messages: RtmpMessage[] = [];
    for (let i = 0, n = 1 + int(r, 12); i < n; i++) {
      const name = pick(r, names);
      const object = name === "connect" ? amfObject({ app: pick(r, ["live", "x", "live/", ""]) }) : null;
      messages.push(
        commandMessage(
          pick(r, [3, 5]),
          int(r, 3),
          name,
          int(r, 10),
          object,
          pick(r, ["fuzz-key", "", 7, null]),
        ),
      );
    }
    return { phases: [Buffer.concat([handshake(r), encode(messages)])] };
  },
};

export const FUZZ_KINDS: readonly string[] = Object.keys(GENERATORS);

export function fuzzCase(r: Random): FuzzCase {
  const kind = pick(r, FUZZ_KINDS);
  const generated = (GENERATORS[kind] as (r: Random) => Pick<FuzzCase, "phases">)(r);
  return { kind, ...generated, trickle: r() < 0.15 };
}
