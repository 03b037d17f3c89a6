#!/usr/bin/env node
// `node scripts/compose-local.mjs`: the topology of deploy/compose.yaml as processes on this machine,
// each container port on a free loopback port (bench/support/compose-local.ts says what else
// differs). Needs the build (`node scripts/setup.mjs build`), nats-server and prometheus.
// Prints where everything is; Ctrl-C stops everything it started, by PID.
import { startComposeLocal } from "../dist/bench/support/compose-local.js";
import { onInterrupt } from "../dist/bench/support/processes.js";

const say = (line = "") => process.stdout.write(`${line}\n`);
say("compose-local: starting deploy/compose.yaml as processes...");
let local;
try {
  local = await startComposeLocal();
} catch (error) {
  process.stderr.write(`compose-local: could not start (everything started was stopped): ${error.message}\n`);
  process.exit(1);
}
onInterrupt(() => local.stop(), "compose-local");
for (const service of local.services.values()) {
  const ports = [...service.ports].map(([inside, outside]) => `${inside} -> 127.0.0.1:${outside}`).join(", ");
  const pid = service.proc ? `pid ${service.proc.pid}` : "left out (not installed here)";
  say(`${service.name.padEnd(11)} ${pid.padEnd(10)} ${ports}`);
}
say();
say(`UI: ${local.url("node-1", "8081")}/  user admin, password ${local.vars.STREAMWELL_ADMIN_PASSWORD}`);
say(`Prometheus: ${local.url("prometheus", "9090")}/`);
say("Ctrl-C stops everything this started.");
