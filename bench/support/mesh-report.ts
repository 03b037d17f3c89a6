// The mesh benchmark's results: a Markdown summary on stdout, the whole record as JSON in bench/results/.
import { mkdirSync, writeFileSync } from "node:fs";
import type { MeshOptions } from "../mesh.js";
import { formatJson, machine, ROOT } from "./results.js";
import { fmt, round, summarize } from "./stats.js";

export interface Round {
  readonly delivered: number;
  readonly wanted: number;
  readonly ms: number;
}

export interface Change {
  /** SIGKILL of the leader -> node-2 logs that it disconnected. */
  readonly detectMs: number;
  /** That log line -> node-2's first round that delivered every placement; null: not within the timeout. */
  readonly convergeMs: number | null;
  /** That round's own duration. */
  readonly roundMs: number | null;
  /** node-2's rounds from the disconnect to that one. */
  readonly rounds: readonly Round[];
  readonly epochsChanged: number;
  readonly placementsBefore: number;
  readonly placementsAfter: number;
  readonly actorsBefore: number;
  readonly actorsAfter: number;
  /** node-1 started again -> its first round that delivered every placement. */
  readonly rejoinToDeliveredMs: number | null;
}

/** The leader placing N new restreams at once (`--start offline`). */
export interface Placed {
  readonly rounds: readonly Round[];
  /** Their summed duration. */
  readonly roundsMs: number;
  /** The first round's start to the last placement written (log times). */
  readonly spanMs: number | null;
  /** The publishers started again -> the last placement written (the leader's log time). */
  readonly fromPublishMs: number;
}

/** PSS per node (node-1, node-2, node-3), MB. */
export interface MemoryRow {
  readonly label: string;
  readonly pssMb: readonly number[];
}

export interface MeshResult {
  readonly startedAt: Date;
  readonly loadBefore: number[];
  readonly options: MeshOptions;
  readonly start: {
    readonly createS: number;
    readonly startCallsS: number;
    /** Null when not every actor ran within the bench's wait (the run's other figures stand). */
    readonly convergeS: number | null;
    /** One read of every restream record from the KV store, from the benchmark's process. */
    readonly kvListMs: number | null;
    /** The leader's rounds that delivered placements while the restreams were started. */
    readonly leaderRounds: readonly Round[];
    /** With `--start offline`: the placement of every restream once the channels are live again. */
    readonly place: Placed | null;
  };
  readonly memory: readonly MemoryRow[];
  readonly changes: readonly Change[];
  /** API reads with every restream created and stopped (ms, or the error). */
  readonly apiStoppedMs: Readonly<Record<string, number | string>>;
  /** API reads with every restream started (ms, or the error); null when not every actor ran. */
  readonly apiMs: Readonly<Record<string, number | string>> | null;
}

/** kB per restream between two memory rows, per node and for the mesh. */
function perRestream(from: MemoryRow | undefined, to: MemoryRow | undefined, n: number) {
  if (!from || !to) return null;
  const perNode = to.pssMb.map((mb, i) => round(((mb - (from.pssMb[i] ?? 0)) * 1024) / n, 2));
  return {
    perNodeKb: perNode,
    meshKb: round(
      perNode.reduce((sum, kb) => sum + kb, 0),
      2,
    ),
  };
}

function apiLine(when: string, ms: Readonly<Record<string, number | string>>, n: number): string {
  return (
    `API with ${when}: GET /restreams/:id ${ms.getRestream} ms (median of 5),` +
    ` GET /channels/:id/restreams (${n / 2}) ${ms.listChannel} ms (median of 5; the node's first: ${ms.listChannelFirst} ms).`
  );
}

/** Writes the JSON and prints the summary; returns the JSON's path. */
export function report(result: MeshResult): string {
  const { options, start, memory, changes } = result;
  const n = options.restreams;
  const idle = perRestream(memory[0], memory[1], n);
  const placed = perRestream(memory[1], memory[2], n);
  const converge = summarize(changes.flatMap((c) => (c.convergeMs === null ? [] : [c.convergeMs])));
  const detect = summarize(changes.map((c) => c.detectMs));
  const out = [
    `## Mesh: ${n} restreams over 3 nodes`,
    "",
    `Created in ${fmt(start.createS)} s, start calls ${fmt(start.startCallsS)} s, every actor running after ${fmt(start.convergeS)} s` +
      ` (leader rounds that delivered: ${start.leaderRounds.map((r) => `${r.delivered} in ${r.ms} ms`).join(", ") || "-"}).` +
      ` Reading every restream record from the KV store: ${start.kvListMs} ms.` +
      (start.place
        ? ` Placing all ${n} once the channels went live: rounds of ${start.place.roundsMs} ms in all,` +
          ` ${start.place.spanMs ?? "-"} ms from the first round's start to the last placement written.`
        : ""),
    "",
    "| Leader change | Detection (ms) | Convergence (ms) | Its round (ms) | Rounds before | Epochs changed | Actors before/after | node-1 back, delivered (ms) |",
    "|---|---|---|---|---|---|---|---|",
    ...changes.map(
      (c, i) =>
        `| ${i + 1} | ${c.detectMs} | ${c.convergeMs ?? "not converged"} | ${c.roundMs ?? "-"} |` +
        ` ${c.rounds.length - (c.convergeMs === null ? 0 : 1)} | ${c.epochsChanged} of ${c.placementsBefore} |` +
        ` ${c.actorsBefore}/${c.actorsAfter} | ${c.rejoinToDeliveredMs ?? "-"} |`,
    ),
    "",
    "| PSS (MB) | node-1 | node-2 | node-3 |",
    "|---|---|---|---|",
    ...memory.map((row) => `| ${row.label} | ${row.pssMb.map((mb) => fmt(mb)).join(" | ")} |`),
    "",
    `Per idle restream definition: ${idle ? `${idle.meshKb} kB over the mesh (${idle.perNodeKb.join(" / ")})` : "-"}; ` +
      `per placed actor: ${placed ? `${placed.meshKb} kB (${placed.perNodeKb.join(" / ")})` : "-"}.`,
    "",
    apiLine(`all ${n} stopped`, result.apiStoppedMs, n),
    result.apiMs
      ? apiLine(`all ${n} started`, result.apiMs, n)
      : `API with all ${n} started: not every actor ran.`,
  ];
  process.stdout.write(`${out.join("\n")}\n`);

  const stamp = result.startedAt.toISOString().slice(0, 16).replace(":", "");
  const dir = `${ROOT}bench/results`;
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/mesh-${stamp}.json`;
  const record = {
    date: result.startedAt.toISOString(),
    machine: machine(result.loadBefore),
    options,
    start: {
      ...start,
      createS: round(start.createS),
      startCallsS: round(start.startCallsS),
      convergeS: start.convergeS === null ? null : round(start.convergeS),
    },
    leaderChange: { detectMs: detect, convergeMs: converge, runs: changes },
    memory: { rows: memory, perIdleRestream: idle, perPlacedActor: placed },
    apiStoppedMs: result.apiStoppedMs,
    apiMs: result.apiMs,
  };
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
  formatJson(path);
  return path;
}
