import { describe, expect, it } from "vitest";
import { CLOCK_SKEW_MS, MeshProof, type Signed } from "../../node/mesh/mesh-proof.js";

const SECRET = "the-mesh-secret-of-these-tests-0123456789";
const OTHER = "another-secret-that-is-long-enough-0123456789";

const message: Signed = {
  namespace: "streamwell",
  kind: "REQ",
  sender: "node-1",
  target: "node-2",
  body: JSON.stringify({ action: "streamwell.node.pushChain", params: { channelId: "ch_1", port: 9000 } }),
};

/** A sender and a receiver with their own clocks (ms), moved by hand. */
function pair(options: { receiverSecret?: string; alsoAccepted?: string[] } = {}) {
  const clocks = { sender: 1_000_000, receiver: 1_000_000 };
  const sender = new MeshProof({ secret: SECRET, now: () => clocks.sender });
  const receiver = new MeshProof({
    secret: options.receiverSecret ?? SECRET,
    alsoAccepted: options.alsoAccepted,
    now: () => clocks.receiver,
  });
  return { clocks, sender, receiver };
}

describe("MeshProof", () => {
  it("accepts a proof made with the same secret, once", () => {
    const { sender, receiver } = pair();
    const proof = sender.sign(message);
    expect(receiver.verify(message, proof)).toBe("ok");
    expect(receiver.verify(message, proof)).toBe("replayed");
    expect(receiver.verify(message, sender.sign(message))).toBe("ok");
  });

  it("refuses another secret, a changed message, another target or sender", () => {
    const { sender, receiver } = pair({ receiverSecret: OTHER });
    expect(receiver.verify(message, sender.sign(message))).toBe("bad_signature");
    const same = pair();
    const proof = same.sender.sign(message);
    for (const changed of [
      { ...message, body: message.body.replace("9000", "9001") },
      { ...message, target: "node-3" },
      { ...message, sender: "rogue" },
      { ...message, kind: "EVENT" },
      { ...message, namespace: "other" },
    ]) {
      expect(same.receiver.verify(changed, proof)).toBe("bad_signature");
    }
    expect(same.receiver.verify(message, proof)).toBe("ok");
  });

  it("refuses a missing or malformed proof", () => {
    const { sender, receiver } = pair();
    expect(receiver.verify(message, undefined)).toBe("missing");
    expect(receiver.verify(message, { t: "now", n: "x", s: "y" })).toBe("malformed");
    expect(receiver.verify(message, { ...sender.sign(message), s: "A".repeat(500) })).toBe("malformed");
    expect(receiver.verify(message, { ...sender.sign(message), s: "AAAA" })).toBe("bad_signature");
  });

  it("refuses a proof stamped further from the receiver's clock than the skew", () => {
    const { clocks, sender, receiver } = pair();
    clocks.sender -= CLOCK_SKEW_MS + 1;
    expect(receiver.verify(message, sender.sign(message))).toBe("stale");
    clocks.sender += 2 * CLOCK_SKEW_MS + 2;
    expect(receiver.verify(message, sender.sign(message))).toBe("stale");
    clocks.sender = clocks.receiver + CLOCK_SKEW_MS;
    expect(receiver.verify(message, sender.sign(message))).toBe("ok");
  });

  it("remembers a nonce for as long as its proof could still pass the clock check", () => {
    const { clocks, sender, receiver } = pair();
    // Stamped a full skew ahead of the receiver: fresh until twice the skew has passed here.
    clocks.sender = clocks.receiver + CLOCK_SKEW_MS;
    const proof = sender.sign(message);
    expect(receiver.verify(message, proof)).toBe("ok");
    for (const step of [CLOCK_SKEW_MS, CLOCK_SKEW_MS - 1]) {
      clocks.receiver += step;
      // Other traffic meanwhile rotates the nonce memory.
      expect(receiver.verify(message, sender.sign(message))).not.toBe("replayed");
      expect(receiver.verify(message, proof)).toBe("replayed");
    }
    clocks.receiver += 2;
    expect(receiver.verify(message, proof)).toBe("stale");
  });

  it("accepts a second secret while a mesh rolls over, and signs with the first only", () => {
    const rolling = new MeshProof({ secret: OTHER, alsoAccepted: [SECRET] });
    const old = new MeshProof({ secret: SECRET });
    expect(rolling.verify(message, old.sign(message))).toBe("ok");
    expect(old.verify(message, rolling.sign(message))).toBe("bad_signature");
  });
});
