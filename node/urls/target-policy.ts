// Where users may make the node send: SRT Push targets are any host a user types, so without a
// policy a user makes the node send UDP to its own loopback, the LAN, or the cloud's metadata
// service (169.254.169.254), and reads the outcome in the restream's log. The host is resolved
// (every address it has) and each address must be outside the refused ranges, unless the
// operator's allow-list (STREAMWELL_SRT_PUSH_ALLOW, CIDRs) names it. A name that does not resolve
// now reaches nothing now: it is let through and checked again at every start.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** Loopback, "this network", private (RFC 1918, CGNAT, unique-local), link-local (cloud metadata), multicast, reserved. */
const REFUSED: readonly [string, number, "ipv4" | "ipv6"][] = [
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["::", 128, "ipv6"],
  ["::1", 128, "ipv6"],
  ["fc00::", 7, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
];

export class TargetRefusedError extends Error {}

function blockList(ranges: readonly [string, number, "ipv4" | "ipv6"][]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of ranges) list.addSubnet(network, prefix, family);
  return list;
}

/** "127.0.0.0/8,::1/128" -> subnets; throws on anything else (config validation calls it). */
export function parseCidrs(text: string): [string, number, "ipv4" | "ipv6"][] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const [network = "", prefix = ""] = part.split("/");
      const family = isIP(network);
      const bits = Number(prefix);
      if (family === 0 || !/^\d{1,3}$/.test(prefix) || bits > (family === 4 ? 32 : 128)) {
        throw new Error(`"${part}" is not a CIDR like 127.0.0.0/8 or ::1/128`);
      }
      return [network, bits, family === 4 ? "ipv4" : "ipv6"];
    });
}

export class TargetPolicy {
  private readonly refused = blockList(REFUSED);
  private readonly allowed: BlockList;

  constructor(
    allow: readonly [string, number, "ipv4" | "ipv6"][] = [],
    private readonly resolve: (host: string) => Promise<string[]> = async (host) =>
      (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address),
  ) {
    this.allowed = blockList(allow);
  }

  /** Throws TargetRefusedError, naming the address, when `host` is or resolves to a refused address. */
  async check(host: string): Promise<void> {
    await this.checked(host);
  }

  /**
   * The address to send to: `host` resolved now and checked (TargetRefusedError when refused or
   * when it resolves to nothing). The sender dials this address, not the name, so a DNS answer
   * that changes after the check (rebinding) is not followed.
   */
  async pin(host: string): Promise<string> {
    const [first] = await this.checked(host);
    if (first === undefined) throw new TargetRefusedError(`${host} does not resolve`);
    return first;
  }

  private async checked(host: string): Promise<string[]> {
    const bare = host.replace(/^\[|\]$/g, "");
    let addresses: string[];
    if (isIP(bare) !== 0) addresses = [bare];
    else {
      addresses = await this.resolve(bare).catch(() => []);
      if (bare.toLowerCase() === "localhost" || bare.toLowerCase().endsWith(".localhost"))
        addresses.push("127.0.0.1");
    }
    for (const address of addresses) {
      if (this.isRefused(address)) {
        throw new TargetRefusedError(
          `${address === bare ? address : `${bare} (${address})`} is a loopback, private, link-local or reserved address, which this server does not send to`,
        );
      }
    }
    return addresses;
  }

  private isRefused(address: string): boolean {
    const family = isIP(address) === 4 ? "ipv4" : "ipv6";
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1]; // an IPv4 address in IPv6 clothing
    if (mapped) return this.isRefused(mapped);
    return !this.allowed.check(address, family) && this.refused.check(address, family);
  }
}
