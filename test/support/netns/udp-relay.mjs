// Run inside a lab host: a UDP relay that delays and drops datagrams, for a link with latency and
// loss (this kernel has no netem qdisc). It listens on <listen ip>:<port> for every port of a
// range and forwards each caller's datagrams to <target ip>:<same port> from a socket of its own
// per caller, and the answers back; each datagram, either way, is held `delayMs` and dropped with
// probability `loss`. Prints "ready", then every second a JSON line of its counts.
// Usage: node udp-relay.mjs <listen ip> <target ip> <first port> <last port> <delay ms> <loss 0-1>
import { createSocket } from "node:dgram";

const [listenIp, targetIp, first, last, delay, loss] = process.argv.slice(2);
const delayMs = Number(delay);
const lossRate = Number(loss);
const counts = { forwarded: 0, dropped: 0, answered: 0, answersDropped: 0, callers: 0 };

/** Sends after the delay, unless this datagram is one of the lost ones. */
function later(send, lost) {
  if (Math.random() < lossRate) return lost();
  setTimeout(send, delayMs);
}

function relayPort(port) {
  const front = createSocket("udp4");
  front.on("error", () => {});
  /** caller "ip:port" -> its socket toward the target */
  const upstreams = new Map();
  front.on("message", (message, from) => {
    const caller = `${from.address}:${from.port}`;
    let upstream = upstreams.get(caller);
    if (!upstream) {
      upstream = createSocket("udp4");
      upstream.on("error", () => {}); // the target not listening (yet): like a lost datagram
      upstream.bind(0, listenIp);
      upstream.on("message", (answer) =>
        later(
          () => {
            counts.answered += 1;
            front.send(answer, from.port, from.address);
          },
          () => {
            counts.answersDropped += 1;
          },
        ),
      );
      upstreams.set(caller, upstream);
      counts.callers += 1;
    }
    const toTarget = upstream;
    later(
      () => {
        counts.forwarded += 1;
        toTarget.send(message, port, targetIp);
      },
      () => {
        counts.dropped += 1;
      },
    );
  });
  return new Promise((resolve) => front.bind(port, listenIp, resolve));
}

const ports = [];
for (let port = Number(first); port <= Number(last); port += 1) ports.push(relayPort(port));
await Promise.all(ports);
process.stdout.write("ready\n");
setInterval(() => process.stdout.write(`${JSON.stringify(counts)}\n`), 1_000);
