import { createHmac, randomFillSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HandshakeStateError, HandshakeVersionError } from "../../node/rtmp/errors.js";
import {
  type DigestScheme,
  digestOffset,
  findDigest,
  HANDSHAKE_SIZE,
  imprintDigest,
  PLAYER_KEY,
  PLAYER_KEY_PARTIAL,
  SERVER_KEY,
  SERVER_KEY_PARTIAL,
  ServerHandshake,
  signResponse,
  verifyResponse,
} from "../../node/rtmp/handshake.js";

const FFMPEG_C0C1 = readFileSync(new URL("../fixtures/rtmp/ffmpeg-c0c1.bin", import.meta.url));

function c1(version: number[] = [0, 0, 0, 0]): Buffer {
  const packet = randomFillSync(Buffer.alloc(HANDSHAKE_SIZE));
  packet.writeUInt32BE(12345, 0);
  packet.set(version, 4);
  return packet;
}

/** Splits a server reply into S0, S1, S2. */
function split(reply: Buffer | null): { s0: number; s1: Buffer; s2: Buffer } {
  expect(reply).not.toBeNull();
  const r = reply as Buffer;
  expect(r.length).toBe(1 + 2 * HANDSHAKE_SIZE);
  return { s0: r[0] as number, s1: r.subarray(1, 1 + HANDSHAKE_SIZE), s2: r.subarray(1 + HANDSHAKE_SIZE) };
}

describe("ServerHandshake, plain", () => {
  it("answers C0+C1 with S0+S1+S2 (S2 echoes C1), then finishes on C2", () => {
    const hs = new ServerHandshake();
    const hello = c1();
    const step = hs.push(Buffer.concat([Buffer.from([3]), hello]));
    const { s0, s2 } = split(step.reply);
    expect(s0).toBe(3);
    expect(s2).toEqual(hello);
    expect(hs.kind).toBe("plain");
    expect(hs.state).toBe("awaiting_c2");
    const done = hs.push(randomFillSync(Buffer.alloc(HANDSHAKE_SIZE)));
    expect(done.reply).toBeNull();
    expect(hs.state).toBe("done");
  });

  it("hands back bytes pipelined after C2", () => {
    const hs = new ServerHandshake();
    const extra = Buffer.from("first chunk bytes");
    const step = hs.push(Buffer.concat([Buffer.from([3]), c1(), c1(), extra]));
    expect(step.reply).not.toBeNull();
    expect(step.rest).toEqual(extra);
    expect(hs.state).toBe("done");
  });

  it("works fed one byte at a time", () => {
    const hs = new ServerHandshake();
    const all = Buffer.concat([Buffer.from([3]), c1(), c1()]);
    let replies = 0;
    for (const byte of all) if (hs.push(Buffer.from([byte])).reply) replies++;
    expect(replies).toBe(1);
    expect(hs.state).toBe("done");
  });

  it("falls back to plain when C1 claims a version but has no valid digest", () => {
    const hs = new ServerHandshake();
    const hello = c1([9, 0, 124, 2]);
    const { s2 } = split(hs.push(Buffer.concat([Buffer.from([3]), hello])).reply);
    expect(hs.kind).toBe("plain");
    expect(s2).toEqual(hello);
  });

  it("refuses other versions (6 is RTMPE) and then any more bytes", () => {
    const hs = new ServerHandshake();
    expect(() => hs.push(Buffer.concat([Buffer.from([6]), c1()]))).toThrow(HandshakeVersionError);
    expect(hs.state).toBe("failed");
    expect(() => hs.push(Buffer.from([3]))).toThrow(HandshakeStateError);
  });
});

describe("ServerHandshake, digest (complex)", () => {
  it.each([0, 1] as DigestScheme[])("answers a scheme %i C1 with a digested S1 and a signed S2", (scheme) => {
    const hello = c1([9, 0, 124, 2]);
    const { digest: c1Digest } = imprintDigest(hello, scheme, PLAYER_KEY_PARTIAL);
    const hs = new ServerHandshake();
    const { s1, s2 } = split(hs.push(Buffer.concat([Buffer.from([3]), hello])).reply);
    expect(hs.kind).toBe("digest");
    expect(hs.scheme).toBe(scheme);
    const serverDigest = findDigest(Buffer.from(s1), SERVER_KEY_PARTIAL);
    expect(serverDigest?.scheme).toBe(scheme);
    expect(s1[4]).toBeGreaterThanOrEqual(3); // so ffmpeg (playing) would check it
    expect(verifyResponse(Buffer.from(s2), c1Digest, SERVER_KEY)).toBe(true);
    expect(verifyResponse(Buffer.from(s2), Buffer.alloc(32), SERVER_KEY)).toBe(false);
  });

  it("recognises the C1 this machine's ffmpeg sends (captured) as a scheme 0 digest", () => {
    const hs = new ServerHandshake();
    split(hs.push(FFMPEG_C0C1).reply);
    expect(hs.kind).toBe("digest");
    expect(hs.scheme).toBe(0);
  });

  it("computes the digest as the Flash handshake defines it (independent check)", () => {
    const packet = c1([9, 0, 124, 2]);
    const found = imprintDigest(packet, 0, PLAYER_KEY_PARTIAL);
    const sum = packet[8]! + packet[9]! + packet[10]! + packet[11]!;
    expect(found.offset).toBe((sum % 728) + 12);
    const expected = createHmac("sha256", Buffer.from("Genuine Adobe Flash Player 001"))
      .update(Buffer.concat([packet.subarray(0, found.offset), packet.subarray(found.offset + 32)]))
      .digest();
    expect(found.digest).toEqual(expected);
    const sum1 = packet[772]! + packet[773]! + packet[774]! + packet[775]!;
    expect(digestOffset(packet, 1)).toBe((sum1 % 728) + 776);
  });

  it("keeps every digest inside the packet", () => {
    const packet = Buffer.alloc(HANDSHAKE_SIZE, 0xff);
    expect(digestOffset(packet, 0) + 32).toBeLessThanOrEqual(764 + 8);
    expect(digestOffset(packet, 1) + 32).toBeLessThanOrEqual(HANDSHAKE_SIZE);
    expect(findDigest(Buffer.alloc(10), PLAYER_KEY_PARTIAL)).toBeNull();
  });

  it("exports what a client needs: sign C2 over the S1 digest, check S2", () => {
    const s1 = c1([4, 5, 0, 1]);
    const { digest } = imprintDigest(s1, 1, SERVER_KEY_PARTIAL);
    const c2 = randomFillSync(Buffer.alloc(HANDSHAKE_SIZE));
    signResponse(c2, digest, PLAYER_KEY);
    expect(verifyResponse(c2, digest, PLAYER_KEY)).toBe(true);
    expect(verifyResponse(c2, digest, SERVER_KEY)).toBe(false);
  });
});
