// The soak (issue 14, part 4; not CI): `npm run bench -- soak [--minutes 30] [--restreams 50]
// [--fault-every 120]`. The fault suite's three-host lab (test/support/netns/), one channel with
// `restreams` restreams (one in five on the ffmpeg engine) to the lab's nginx-rtmp, and a fault every
// `fault-every` seconds, in turn: the ingest host cut off for 15 s (the publisher moves to the next
// host, as an encoder with a backup URL would), an ffmpeg relay SIGKILLed, a node that holds no
// publisher frozen for 20 s, the ingest host's nats-server SIGKILLed for 5 s. Every 10 s: each node's
// RSS and open fds, restreams streaming, restarts the API reports, publishes at the destination and
// duplicates (a publish while another publisher of the key was on); per fault the fewest streaming,
// when all streamed again, and the publisher's reconnects (it reconnects 1 s after an exit, as an
// encoder does, e.g. when a node refused the key while its store was away). JSON and a PNG of RSS and fds
// over time in bench/results/; the nodes' logs in a temporary directory. Runs under vitest (it uses the test lab); needs root and `ip netns`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { netnsAvailable } from "../../test/support/netns/lab.js";
import { LabMesh, NODE_IDS, type NodeId } from "../../test/support/netns/mesh.js";
import { tryGet } from "../../test/support/netns/observe.js";
import { lineChartSvg, type Series, svgToPng } from "../support/plot.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const RESTREAMS = Number(process.env.SOAK_RESTREAMS ?? 50);
const FAULT_EVERY_MS = Number(process.env.SOAK_FAULT_EVERY_S ?? 120) * 1_000;
const SAMPLE_EVERY_MS = 10_000;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c"];

interface Sample {
  readonly atS: number;
  readonly rssMb: Record<NodeId, number>;
  readonly fds: Record<NodeId, number>;
  /** null: no node's API answered. */
  readonly streaming: number | null;
  readonly restarts: number | null;
  readonly publishes: number;
  readonly duplicates: number;
}

interface FaultRun {
  readonly atS: number;
  readonly fault: string;
  /** The fewest restreams streaming at one poll (every 500 ms) in the fault's interval. */
  readonly lowest: number;
  /**
   * Seconds from the fault to the first poll with every restream streaming after the last poll that
   * saw fewer (0: never fewer; null: not all streaming again within the interval).
   */
  readonly recoveredS: number | null;
  /** Polls (every 500 ms) that no node's API answered. */
  readonly unanswered: number;
  /** Times the publisher exited and reconnected (an encoder's reconnect) in the interval. */
  readonly publisherReconnects: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function procField(pid: number, field: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${field}:`));
    return Number(line?.split(/\s+/)[1] ?? 0);
  } catch {
    return 0;
  }
}

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

it.skipIf(netnsAvailable() !== null)(
  "soak: restreams over the three-host lab with a fault every interval",
  async () => {
    const mesh = await LabMesh.start();
    const startedAt = Date.now();
    const loadBefore = loadavg();
    const samples: Sample[] = [];
    const faults: FaultRun[] = [];
    let ingest: NodeId = "h2";
    try {
      const admin = () => mesh.node(NODE_IDS.find((id) => id !== ingest) as NodeId).admin;
      const channel = (await admin().post("/channels", { name: "Soak" })).body;
      const destinations = await Promise.all(
        (["native", "ffmpeg"] as const).map(async (engine) => {
          const made = await admin().post("/destinations", {
            name: engine,
            url: mesh.destination.url,
            engine,
          });
          expect(made.status, made.text).toBe(201);
          return made.body.id as string;
        }),
      );
      const keys = Array.from({ length: RESTREAMS }, (_, i) => `soak-${i}`);
      const ids: string[] = [];
      for (const [i, key] of keys.entries()) {
        const made = await admin().post(`/channels/${channel.id}/restreams`, {
          kind: "destination",
          destinationId: destinations[i % 5 === 4 ? 1 : 0],
          streamKey: key,
        });
        expect(made.status, made.text).toBe(201);
        ids.push(made.body.id);
        await admin().post(`/restreams/${made.body.id}/start`);
      }
      let reconnects = 0;
      const publishTo = (id: NodeId) =>
        mesh.publishTo(id, channel.streamKey, {
          reconnect: true,
          onReconnect: (lastLine) => {
            reconnects += 1;
            process.stderr.write(
              `soak: +${Math.round((Date.now() - startedAt) / 1000)} s publisher reconnects to ${ingest} (${lastLine})\n`,
            );
          },
        });
      await publishTo(ingest);

      type View = {
        state: string;
        node: string | null;
        error: { code: string } | null;
        stats: { restarts: number };
      };
      /** The channel's restreams from the first node that answers; undefined when none did. */
      const views = async (): Promise<View[] | undefined> => {
        for (const id of NODE_IDS) {
          const body = await tryGet<{ items: View[] }>(
            mesh.node(id).admin,
            `/channels/${channel.id}/restreams`,
          );
          if (body) return body.items;
        }
        return undefined;
      };
      /** Restreams streaming; undefined when no node's API answered. */
      const streamingCount = async () => (await views())?.filter((v) => v.state === "streaming").length;
      /** "<state>/<node>/<error code> x<count>" for every restream not streaming. */
      const stragglers = async (): Promise<string> => {
        const counts = new Map<string, number>();
        for (const v of (await views()) ?? []) {
          if (v.state === "streaming") continue;
          const key = `${v.state}/${v.node ?? "-"}/${v.error?.code ?? "-"}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        return [...counts].map(([key, n]) => `${key} x${n}`).join(", ");
      };
      const sample = async (): Promise<void> => {
        const items = await views();
        const per = <T>(f: (pid: number) => T) =>
          Object.fromEntries(NODE_IDS.map((id) => [id, f(mesh.node(id).process.pid)])) as Record<NodeId, T>;
        samples.push({
          atS: Math.round((Date.now() - startedAt) / 1000),
          rssMb: per((pid) => Math.round(procField(pid, "VmRSS") / 1024)),
          fds: per(fdCount),
          streaming: items?.filter((v) => v.state === "streaming").length ?? null,
          restarts: items?.reduce((sum, v) => sum + v.stats.restarts, 0) ?? null,
          publishes: keys.reduce((sum, key) => sum + mesh.destination.publishes(key).length, 0),
          duplicates: keys.reduce((sum, key) => sum + mesh.destination.overlaps(key).length, 0),
        });
      };
      const allStreaming = async (since: number, boundMs: number): Promise<number | null> => {
        while (Date.now() - since < boundMs) {
          if ((await streamingCount()) === RESTREAMS) return Math.round((Date.now() - since) / 100) / 10;
          await sleep(500);
        }
        return null;
      };
      /** Polls until `until`: the fewest streaming, and when all were streaming again after the last dip. */
      const watchRecovery = async (since: number, until: number) => {
        let lowest = RESTREAMS;
        let unanswered = 0;
        let recoveredAt: number | null = since;
        while (Date.now() < until) {
          const streaming = await streamingCount();
          if (streaming === undefined) {
            unanswered += 1;
            await sleep(500);
            continue;
          }
          lowest = Math.min(lowest, streaming);
          if (streaming < RESTREAMS) recoveredAt = null;
          else recoveredAt ??= Date.now();
          await sleep(500);
        }
        const recoveredS = recoveredAt === null ? null : Math.round((recoveredAt - since) / 100) / 10;
        return { lowest, recoveredS, unanswered };
      };
      expect(
        await allStreaming(Date.now(), 120_000),
        "every restream streaming before the first fault",
      ).not.toBe(null);

      const faultsInTurn: { name: string; run: () => Promise<void> }[] = [
        {
          name: "ingest host cut 15 s, publisher moved",
          run: async () => {
            const cut = ingest;
            mesh.lab.cut(cut);
            await sleep(3_000);
            ingest = NODE_IDS[(NODE_IDS.indexOf(cut) + 1) % NODE_IDS.length] as NodeId;
            await publishTo(ingest);
            await sleep(12_000);
            mesh.lab.restore(cut);
          },
        },
        {
          name: "an ffmpeg relay SIGKILLed",
          run: async () => {
            const [relay] = mesh.relayPids(ingest);
            if (relay !== undefined) process.kill(relay, "SIGKILL");
          },
        },
        {
          name: "a node without the publisher frozen 20 s",
          run: async () => {
            const pid = mesh.node(NODE_IDS.find((id) => id !== ingest) as NodeId).process.pid;
            process.kill(pid, "SIGSTOP");
            await sleep(20_000);
            process.kill(pid, "SIGCONT");
          },
        },
        {
          name: "the ingest host's nats-server SIGKILLed 5 s",
          run: async () => {
            const server = mesh.nats.servers.find((s) => s.host.name === ingest);
            if (!server) return;
            await server.kill();
            await sleep(5_000);
            await server.start();
          },
        },
      ];

      const endAt = startedAt + MINUTES * 60_000;
      let nextSample = Date.now();
      for (let turn = 0; Date.now() < endAt; turn += 1) {
        const fault = faultsInTurn[turn % faultsInTurn.length] as (typeof faultsInTurn)[number];
        const faultAt = Date.now();
        const faultRun = fault.run();
        const reconnectsBefore = reconnects;
        const nextFault = Math.min(endAt, faultAt + FAULT_EVERY_MS);
        const recovery = watchRecovery(faultAt, nextFault - 1_000);
        while (Date.now() < nextFault) {
          if (Date.now() >= nextSample) {
            await sample();
            nextSample += SAMPLE_EVERY_MS;
          }
          await sleep(500);
        }
        await faultRun;
        const { lowest, recoveredS, unanswered } = await recovery;
        const publisherReconnects = reconnects - reconnectsBefore;
        faults.push({
          atS: Math.round((faultAt - startedAt) / 1000),
          fault: fault.name,
          lowest,
          recoveredS,
          unanswered,
          publisherReconnects,
        });
        process.stderr.write(
          `soak: +${faults.at(-1)?.atS} s ${fault.name}: fewest streaming ${lowest}/${RESTREAMS}, all streaming again after ${recoveredS} s, publisher reconnects ${publisherReconnects}, polls no API answered ${unanswered}${recoveredS === null ? `; not streaming: ${await stragglers()}` : ""}\n`,
        );
      }
      const settledS = await allStreaming(Date.now(), 90_000);
      process.stderr.write(
        `soak: after the last fault, all streaming after ${settledS} s${settledS === null ? `; not streaming: ${await stragglers()}` : ""}\n`,
      );
      await sample();
      expect(settledS, "every restream streaming again after the last fault").not.toBe(null);
    } finally {
      writeNodeLogs(mesh);
      await mesh.dispose();
      await writeResults(samples, faults, loadBefore);
    }
  },
  (MINUTES + 15) * 60_000,
);

/** Every node's log lines to a temporary directory (not the repository: they are large), for reading after a run. */
function writeNodeLogs(mesh: LabMesh): void {
  const dir = mkdtempSync(join(tmpdir(), "streamwell-soak-logs-"));
  for (const id of NODE_IDS) {
    const node = mesh.nodes.get(id);
    if (node) writeFileSync(join(dir, `${id}.log`), `${node.process.output.join("\n")}\n`);
  }
  process.stderr.write(`soak: the nodes' logs in ${dir}\n`);
}

async function writeResults(
  samples: readonly Sample[],
  faults: readonly FaultRun[],
  loadBefore: number[],
): Promise<void> {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, "");
  const base = `${ROOT}bench/results/soak-${stamp}`;
  const record = {
    bench: "soak",
    at: new Date().toISOString(),
    options: { minutes: MINUTES, restreams: RESTREAMS, faultEveryS: FAULT_EVERY_MS / 1000 },
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg(),
    faults,
    samples,
  };
  writeFileSync(`${base}.json`, JSON.stringify(record));
  // The repository's formatter owns JSON layout (lint checks bench/results); results.ts's formatJson
  // finds it from dist/, and this file runs from source.
  spawnSync(`${ROOT}node_modules/.bin/biome`, ["format", "--write", `${base}.json`], { stdio: "ignore" });
  const series = (pick: (s: Sample) => Record<NodeId, number>, unit: string): Series[] =>
    NODE_IDS.map((id, i) => ({
      name: `${id} ${unit}`,
      color: COLORS[i] as string,
      points: samples.map((s) => ({ x: Math.round(s.atS / 6) / 10, y: pick(s)[id] })),
    }));
  const svg = lineChartSvg(
    `Soak: ${RESTREAMS} restreams, a fault every ${FAULT_EVERY_MS / 1000} s`,
    "minutes",
    "RSS (MB) / open fds",
    [
      ...series((s) => s.rssMb, "RSS MB"),
      ...series((s) => s.fds, "fds").map((s) => ({ ...s, color: `${s.color}88` })),
    ],
  );
  const png = await svgToPng(svg, `${base}.png`).catch((error: unknown) => `not written: ${String(error)}`);
  process.stderr.write(`soak: ${base}.json; PNG ${base}.png (${png})\n`);
}
