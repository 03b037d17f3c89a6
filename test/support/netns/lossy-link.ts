// Latency and loss on a chain link (this kernel has no netem qdisc): a node whose public host is
// the relay host's address is reached by its chain links' callers through ./udp-relay.mjs there,
// which forwards each datagram to the node's own address on the same port, held and dropped as
// asked. Started for one test, stopped by PID.
import { type Proc, startProcess } from "../../../bench/support/processes.js";
import type { Lab, LabHost } from "./lab.js";

const RELAY = new URL("./udp-relay.mjs", import.meta.url).pathname;

export interface RelayCounts {
  /** Datagrams toward the node, forwarded and dropped; callers seen. */
  readonly forwarded: number;
  readonly dropped: number;
  /** Datagrams back from the node, forwarded and dropped. */
  readonly answered: number;
  readonly answersDropped: number;
  readonly callers: number;
}

export interface LinkShape {
  readonly delayMs: number;
  /** Share of datagrams dropped, each way: 0.02 = 2 %. */
  readonly loss: number;
}

export class LossyLink {
  counts: RelayCounts = { forwarded: 0, dropped: 0, answered: 0, answersDropped: 0, callers: 0 };

  private constructor(private readonly proc: Proc) {}

  /** Relays `relay`'s address, ports `from`-`to`, to `target`'s, with `shape`. */
  static async start(
    lab: Lab,
    relay: LabHost,
    target: LabHost,
    ports: { from: number; to: number },
    shape: LinkShape,
  ): Promise<LossyLink> {
    const [command, ...prefix] = lab.exec(relay.name);
    let ready: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const args = [relay.ip, target.ip, ports.from, ports.to, shape.delayMs, shape.loss].map(String);
    let link: LossyLink | undefined;
    const proc = startProcess("udp-relay", command as string, [...prefix, process.execPath, RELAY, ...args], {
      onStdoutLine: (line) => {
        if (line === "ready") ready();
        else if (link) link.counts = JSON.parse(line) as RelayCounts;
      },
    });
    link = new LossyLink(proc);
    await Promise.race([started, proc.exited.then(() => Promise.reject(new Error(proc.tail.join("\n"))))]);
    return link;
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}
