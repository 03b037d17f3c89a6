// Open connections per peer address, so that one host cannot take every slot of a listener (the
// total cap alone let a few sockets lock every publisher out). IPv6 peers count per /64, which one
// host usually holds whole; IPv4-mapped IPv6 addresses count as their IPv4 address.
import { isIPv6 } from "node:net";

/** "full_first": the first refusal since the address last had room (worth one log line). */
export type SlotAnswer = "taken" | "full" | "full_first";

export class AddressSlots {
  private readonly open = new Map<string, number>();
  private readonly refused = new Set<string>();

  constructor(private readonly perAddress: number) {}

  take(address: string): SlotAnswer {
    const key = addressKey(address);
    const count = this.open.get(key) ?? 0;
    if (count < this.perAddress) {
      this.open.set(key, count + 1);
      return "taken";
    }
    if (this.refused.has(key)) return "full";
    this.refused.add(key);
    return "full_first";
  }

  /** A connection that `take` admitted has closed. */
  release(address: string): void {
    const key = addressKey(address);
    const count = (this.open.get(key) ?? 1) - 1;
    if (count <= 0) this.open.delete(key);
    else this.open.set(key, count);
    this.refused.delete(key);
  }
}

/** The address as the cap counts it: IPv4 as is, IPv6 by its first 64 bits. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!isIPv6(address)) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = address.includes("::") && tail !== "" ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
