// The restream benchmark's results: a Markdown summary on stdout, the whole record as JSON in
// bench/results/, and a PNG of CPU against N for each engine and baseline (in docs/ only when asked).
import { mkdirSync, writeFileSync } from "node:fs";
import { ENGINE_NAMES, type EngineName } from "../../node/defs/relay.js";
import { lineChartSvg, type Series, svgToPng } from "./plot.js";
import type { Usage } from "./proc-stats.js";
import { formatJson, machine, ROOT } from "./results.js";
import { fmt, round, type Summary, summarize } from "./stats.js";

export { ENGINE_NAMES as ENGINES, type EngineName };
/** "pull": bare ffmpeg relays pulling from nginx-rtmp; "push": nginx-rtmp's own `push`. */
export const BASELINES = ["pull", "push"] as const;
export type BaselineName = (typeof BASELINES)[number];

export interface Options {
  readonly ns: number[];
  readonly durationS: number;
  readonly latencyRuns: number;
  readonly engines: EngineName[];
  readonly baselines: BaselineName[];
  readonly writeDocs: boolean;
}

export interface LatencyRun {
  /** Milliseconds from the start request (engines) or the relay's spawn (pull baseline). */
  readonly firstFrameMs?: number;
  readonly acceptedMs?: number;
  /** The engine's first log line of the push (node log time). */
  readonly launchedMs?: number;
  /** The destination took the stream: ffmpeg's "Output #0", the native engine's Publish.Start. */
  readonly outputOpenedMs?: number;
  readonly streamingMs?: number;
  readonly error?: string;
}

export interface CostRun {
  readonly n: number;
  /** Engines: the node and its descendants; baselines: the relays, or the pushing nginx. */
  readonly usage: Usage;
  /** Engines only: the node process alone (usage minus this is its ffmpegs). */
  readonly nodeOnly?: Usage;
  /** The destination nginx. */
  readonly nginx: Usage;
  readonly startupS: number;
  readonly allStreaming: boolean;
  readonly streamingAtEnd: number;
  readonly restarts?: number;
  readonly minSpeed?: number | null;
}

export interface Results {
  engines: { engine: EngineName; latency: LatencyRun[]; cost: CostRun[] }[];
  pull?: { latency: LatencyRun[]; cost: CostRun[] };
  push?: { cost: CostRun[] };
}

/** One line of the cost table: an engine or a baseline at one N. */
interface Subject {
  readonly name: string;
  readonly color: string;
  readonly cost: readonly CostRun[];
}

const COLORS: Record<EngineName | BaselineName, string> = {
  native: "#1f77b4",
  ffmpeg: "#d62728",
  pull: "#888888",
  push: "#2ca02c",
};

function subjects(results: Results): Subject[] {
  const list: Subject[] = results.engines.map((e) => ({
    name: `Streamwell, ${e.engine} engine (node + children)`,
    color: COLORS[e.engine],
    cost: e.cost,
  }));
  if (results.pull)
    list.push({ name: "bare ffmpeg pull relays", color: COLORS.pull, cost: results.pull.cost });
  if (results.push) list.push({ name: "nginx-rtmp push", color: COLORS.push, cost: results.push.cost });
  return list;
}

function latencySummary(runs: readonly LatencyRun[]) {
  const pick = (key: keyof LatencyRun): Summary | null =>
    summarize(runs.flatMap((r) => (typeof r[key] === "number" ? [r[key] as number] : [])));
  return {
    firstFrameMs: pick("firstFrameMs"),
    acceptedMs: pick("acceptedMs"),
    launchedMs: pick("launchedMs"),
    outputOpenedMs: pick("outputOpenedMs"),
    streamingMs: pick("streamingMs"),
    failed: runs.filter((r) => r.error).length,
  };
}

function costRow(subject: Subject, run: CostRun, pull: CostRun | undefined) {
  const { n } = run;
  return {
    subject: subject.name,
    n,
    cpuPercent: round(run.usage.cpuPercent),
    cpuPerStream: round(run.usage.cpuPercent / n, 3),
    nodeProcessCpuPercent: run.nodeOnly && round(run.nodeOnly.cpuPercent),
    pssMb: round(run.usage.pssMb, 1),
    pssPerStreamMb: round(run.usage.pssMb / n, 2),
    rssMb: round(run.usage.rssMb, 1),
    rssMaxMb: round(run.usage.rssMaxMb, 1),
    processes: run.usage.processes,
    restarts: run.restarts,
    minSpeed: run.minSpeed,
    allStreaming: run.allStreaming,
    streamingAtEnd: run.streamingAtEnd,
    startupS: round(run.startupS, 1),
    destinationNginxCpuPercent: round(run.nginx.cpuPercent),
    /** CPU against the bare pull relays at the same N (1.00 = the same). */
    cpuVsPull: pull ? round(run.usage.cpuPercent / pull.usage.cpuPercent, 2) : null,
    windowS: round(run.usage.seconds, 1),
  };
}

export interface ReportInput {
  readonly options: Options;
  readonly startedAt: Date;
  readonly loadBefore: number[];
  /** How it was measured, recorded as given. */
  readonly method: Record<string, unknown>;
  readonly results: Results;
}

/** Prints the tables, writes the JSON and the PNG; returns where they went. */
export async function report(input: ReportInput): Promise<{ json: string; png: string }> {
  const { options, startedAt, loadBefore, results } = input;
  const latency = {
    ...Object.fromEntries(results.engines.map((e) => [e.engine, latencySummary(e.latency)])),
    ...(results.pull && { pull: latencySummary(results.pull.latency) }),
  };
  const all = subjects(results);
  const cost = all.flatMap((subject) =>
    subject.cost.map((run) =>
      costRow(
        subject,
        run,
        results.pull?.cost.find((p) => p.n === run.n),
      ),
    ),
  );
  process.stdout.write(`${markdown(options, latency, cost).join("\n")}\n`);

  const stamp = startedAt.toISOString().slice(0, 16).replace(":", "");
  const dir = `${ROOT}bench/results`;
  mkdirSync(dir, { recursive: true });
  const pngPath = options.writeDocs
    ? `${ROOT}docs/bench-restreams-engines-cpu.png`
    : `${dir}/restreams-${stamp}-cpu.png`;
  let png: string;
  try {
    const series: Series[] = all.map((s) => ({
      name: s.name,
      color: s.color,
      points: s.cost.map((r) => ({ x: r.n, y: r.usage.cpuPercent })),
    }));
    const svg = lineChartSvg(
      "CPU of N restreams of one 3 Mbit/s channel",
      "N (restreams)",
      "% of one core",
      series,
    );
    png = `${pngPath} (${await svgToPng(svg, pngPath)})`;
  } catch (error) {
    png = `not written: ${(error as Error).message}`;
  }
  const jsonPath = `${dir}/restreams-${stamp}.json`;
  const result = {
    date: startedAt.toISOString(),
    machine: machine(loadBefore),
    method: { options, ...input.method },
    latency: { ...latency, runs: results },
    cost,
    png,
  };
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  formatJson(jsonPath);
  return { json: jsonPath, png };
}

function markdown(
  options: Options,
  latency: Record<string, ReturnType<typeof latencySummary>>,
  cost: ReturnType<typeof costRow>[],
): string[] {
  const ms = (s: Summary | null, key: "median" | "p90" | "min" | "max") => fmt(s?.[key], 0);
  const out = [
    `## Start latency: start -> first frame at an nginx-rtmp player (${options.latencyRuns} runs, ms)`,
    "",
    "| | median | p90 | min | max | failed | split (medians): POST answered, push launched, destination took it, `streaming` in the API |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const [name, l] of Object.entries(latency)) {
    const f = l.firstFrameMs;
    const label = name === "pull" ? "bare ffmpeg pull relay (from spawn)" : `Streamwell ${name} (from POST)`;
    const split =
      name === "pull"
        ? `relay's first progress ${ms(l.streamingMs, "median")}`
        : `${ms(l.acceptedMs, "median")}, ${ms(l.launchedMs, "median")}, ${ms(l.outputOpenedMs, "median")}, ${ms(l.streamingMs, "median")}`;
    out.push(
      `| ${label} | ${ms(f, "median")} | ${ms(f, "p90")} | ${ms(f, "min")} | ${ms(f, "max")} | ${l.failed} | ${split} |`,
    );
  }
  out.push(
    "",
    `## Cost: N restreams of one 3 Mbit/s 720p30 channel (${options.durationS} s window, CPU in % of one core)`,
    "",
    "| N | what | CPU % | CPU %/stream | node alone CPU % | PSS MB | PSS MB/stream | RSS MB (max) | processes |" +
      " restarts | min speed | all streaming | CPU vs pull | destination nginx CPU % |",
    `|${"---|".repeat(14)}`,
  );
  const sorted = [...cost].sort((a, b) => a.n - b.n);
  for (const row of sorted) {
    const streaming = row.allStreaming ? "yes" : `no (${row.streamingAtEnd}/${row.n} at end)`;
    out.push(
      `| ${row.n} | ${row.subject} | ${fmt(row.cpuPercent)} | ${fmt(row.cpuPerStream, 2)} |` +
        ` ${fmt(row.nodeProcessCpuPercent)} | ${fmt(row.pssMb, 0)} | ${fmt(row.pssPerStreamMb, 1)} |` +
        ` ${fmt(row.rssMb, 0)} (${fmt(row.rssMaxMb, 0)}) | ${row.processes} | ${row.restarts ?? "-"} |` +
        ` ${fmt(row.minSpeed, 2)} | ${streaming} | ${fmt(row.cpuVsPull, 2)} | ${fmt(row.destinationNginxCpuPercent)} |`,
    );
  }
  return out;
}
