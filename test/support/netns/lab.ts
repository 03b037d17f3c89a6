// Network namespaces for the fault suite: a "switch" namespace holding a bridge, and one namespace
// per host joined to it by a veth pair (the host's end is eth0, the switch's end is named after the
// host). Addresses are 10.200.0.0/24, used only inside these namespaces; the root namespace is never
// touched. Names carry a random run id, so parallel runs never meet. Cutting a host sets the
// switch's end of its veth down: both sides keep their routes and simply hear nothing, as with a
// pulled cable. dispose() kills every process left in the namespaces (by PID, from `ip netns pids`)
// and deletes them, also after a failed test.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";

const SUBNET = "10.200.0";

export interface LabHost {
  /** Short name, e.g. "h1"; the namespace is `<run>-<name>`. */
  readonly name: string;
  readonly ns: string;
  /** Its address on the bridge. */
  readonly ip: string;
}

/** Whether this process may build the lab: root and a working `ip netns`. */
export function netnsAvailable(): string | null {
  if (process.getuid?.() !== 0) return "needs root (ip netns)";
  try {
    execFileSync("ip", ["netns", "list"], { stdio: "ignore" });
  } catch {
    return "`ip netns` is unavailable";
  }
  return null;
}

export function ip(args: readonly string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export class Lab {
  readonly run = `sw${randomBytes(3).toString("hex")}`;
  private readonly switchNs = `${this.run}-sw`;
  private readonly hosts = new Map<string, LabHost>();
  private disposed = false;

  constructor() {
    ip(["netns", "add", this.switchNs]);
    ip(["-n", this.switchNs, "link", "set", "lo", "up"]);
    ip(["-n", this.switchNs, "link", "add", "br0", "type", "bridge"]);
    ip(["-n", this.switchNs, "link", "set", "br0", "up"]);
  }

  /** A new namespace on the bridge at 10.200.0.<octet>. */
  addHost(name: string, octet: number): LabHost {
    const host: LabHost = { name, ns: `${this.run}-${name}`, ip: `${SUBNET}.${octet}` };
    ip(["netns", "add", host.ns]);
    this.hosts.set(name, host);
    ip(["-n", host.ns, "link", "set", "lo", "up"]);
    ip(["-n", this.switchNs, "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", host.ns]);
    ip(["-n", this.switchNs, "link", "set", name, "master", "br0"]);
    ip(["-n", this.switchNs, "link", "set", name, "up"]);
    ip(["-n", host.ns, "addr", "add", `${host.ip}/24`, "dev", "eth0"]);
    ip(["-n", host.ns, "link", "set", "eth0", "up"]);
    return host;
  }

  host(name: string): LabHost {
    const host = this.hosts.get(name);
    if (!host) throw new Error(`no host ${name} in this lab`);
    return host;
  }

  /** Cuts a host off the bridge (its link stays configured: packets are lost, nothing is refused). */
  cut(name: string): void {
    ip(["-n", this.switchNs, "link", "set", this.host(name).name, "down"]);
  }

  restore(name: string): void {
    ip(["-n", this.switchNs, "link", "set", this.host(name).name, "up"]);
  }

  /** The argv prefix that runs a command in a host's namespace (ip execs it: the PID is the command's). */
  exec(name: string): string[] {
    return ["ip", "netns", "exec", this.host(name).ns];
  }

  /** PIDs of every process in a host's namespace. */
  pids(name: string): number[] {
    return pidsIn(this.host(name).ns);
  }

  /** SIGKILLs what is left in the namespaces (the test's safety net) and deletes them. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const namespaces = [...[...this.hosts.values()].map((host) => host.ns), this.switchNs];
    for (const ns of namespaces) {
      for (const pid of pidsIn(ns)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone meanwhile
        }
      }
    }
    for (const ns of namespaces) {
      if (!existsSync(`/run/netns/${ns}`)) continue;
      try {
        ip(["netns", "delete", ns]);
      } catch {
        // a process may still be exiting: one retry after it is gone
        execFileSync("sleep", ["0.2"]);
        ip(["netns", "delete", ns]);
      }
    }
  }
}

function pidsIn(ns: string): number[] {
  try {
    return ip(["netns", "pids", ns])
      .split("\n")
      .filter((line) => /^\d+$/.test(line))
      .map(Number);
  } catch {
    return [];
  }
}
