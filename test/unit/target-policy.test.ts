import { describe, expect, it } from "vitest";
import { parseCidrs, TargetPolicy, TargetRefusedError } from "../../node/urls/target-policy.js";

/** A resolver that answers from a table, as DNS would (no network in unit tests). */
const dns: Record<string, string[]> = {
  "metadata.example": ["169.254.169.254"],
  "lan.example": ["203.0.113.5", "192.168.1.20"], // one bad address is enough to refuse
  "public.example": ["203.0.113.5", "2001:db8::5"],
  localhost: ["127.0.0.1", "::1"],
};
const resolve = async (host: string) => {
  const answer = dns[host];
  if (!answer) throw new Error("ENOTFOUND");
  return answer;
};

describe("TargetPolicy", () => {
  const policy = new TargetPolicy([], resolve);

  it.each([
    "127.0.0.1",
    "127.1.2.3",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.0.10",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "::1",
    "[::1]",
    "fe80::1",
    "fd00:ec2::254",
    "::ffff:127.0.0.1",
    "localhost",
    "metadata.example",
    "lan.example",
  ])("refuses %s", async (host) => {
    await expect(policy.check(host)).rejects.toBeInstanceOf(TargetRefusedError);
  });

  it.each(["203.0.113.7", "2001:db8::1", "public.example", "does-not-resolve.example"])(
    "lets %s through",
    async (host) => {
      await expect(policy.check(host)).resolves.toBeUndefined();
    },
  );

  it("names the address a host resolved to, never more", async () => {
    await expect(policy.check("metadata.example")).rejects.toThrow(
      /^metadata\.example \(169\.254\.169\.254\) is a loopback/,
    );
  });

  it("lets the allow-list through, and only it", async () => {
    const loopback = new TargetPolicy(parseCidrs("127.0.0.0/8, ::1/128"), resolve);
    await expect(loopback.check("127.0.0.1")).resolves.toBeUndefined();
    await expect(loopback.check("localhost")).resolves.toBeUndefined();
    await expect(loopback.check("10.0.0.1")).rejects.toBeInstanceOf(TargetRefusedError);
  });

  it.each(["127.0.0.1", "10.0.0.0/33", "::1/129", "x/8", "127.0.0.0/"])("parseCidrs refuses %j", (text) => {
    expect(() => parseCidrs(text)).toThrow(/not a CIDR/);
  });
});

describe("TargetPolicy.pin (the address a sender dials)", () => {
  it("answers the address the name resolves to now, checked; a rebound answer is refused", async () => {
    const answers: Record<string, string[]> = { "rebind.example": ["203.0.113.7"] };
    const policy = new TargetPolicy([], async (host) => answers[host] ?? []);
    expect(await policy.pin("rebind.example")).toBe("203.0.113.7");
    answers["rebind.example"] = ["127.0.0.1"]; // the attacker's DNS changes its answer after the check
    await expect(policy.pin("rebind.example")).rejects.toBeInstanceOf(TargetRefusedError);
  });

  it("keeps an address literal, refuses a name that resolves to nothing, allows what the operator allows", async () => {
    expect(await new TargetPolicy([], resolve).pin("[2001:db8::5]")).toBe("2001:db8::5");
    await expect(new TargetPolicy([], resolve).pin("nowhere.example")).rejects.toThrow(/does not resolve/);
    expect(await new TargetPolicy(parseCidrs("127.0.0.0/8"), resolve).pin("pin.localhost")).toBe("127.0.0.1");
  });
});
