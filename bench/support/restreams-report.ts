// The restream benchmark's results: a Markdown summary on stdout, the whole record as JSON in
// bench/results/, and a PNG of CPU against N (in docs/ only when asked).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { toolVersions } from "./media.js";
import { lineChartSvg, svgToPng } from "./plot.js";
import type { Usage } from "./proc-stats.js";
import { fmt, pct, round, type Summary, summarize } from "./stats.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface Options {
  readonly ns: number[];
  readonly durationS: number;
  readonly latencyRuns: number;
  readonly writeDocs: boolean;
}

export interface LatencyRun {
  /** Milliseconds from the start request (ours) or the relay's spawn (baseline). */
  readonly firstFrameMs?: number;
  readonly acceptedMs?: number;
  readonly spawnedMs?: number;
  readonly outputOpenedMs?: number;
  readonly streamingMs?: number;
  readonly error?: string;
}

export interface CostRun {
  readonly n: number;
  readonly usage: Usage;
  /** Ours only: the node process alone (usage minus this is its ffmpegs). */
  readonly nodeOnly?: Usage;
  readonly nginx: Usage;
  readonly startupS: number;
  readonly allStreaming: boolean;
  readonly streamingAtEnd: number;
  readonly restarts?: number;
  readonly minSpeed?: number | null;
}

export type Side = { latency: LatencyRun[]; cost: CostRun[] };

function latencySummary(runs: readonly LatencyRun[]) {
  const pick = (key: keyof LatencyRun): Summary | null =>
    summarize(runs.flatMap((r) => (typeof r[key] === "number" ? [r[key] as number] : [])));
  return {
    firstFrameMs: pick("firstFrameMs"),
    acceptedMs: pick("acceptedMs"),
    spawnedMs: pick("spawnedMs"),
    outputOpenedMs: pick("outputOpenedMs"),
    streamingMs: pick("streamingMs"),
    failed: runs.filter((r) => r.error).length,
  };
}

function costRow(ours: CostRun, base: CostRun | undefined) {
  const n = ours.n;
  const ratio = (a: number, b: number | undefined): number | null => (b ? a / b : null);
  return {
    n,
    ours: {
      cpuPercent: round(ours.usage.cpuPercent),
      pssMb: round(ours.usage.pssMb, 1),
      cpuPerRestream: round(ours.usage.cpuPercent / n, 3),
      pssPerRestreamMb: round(ours.usage.pssMb / n, 2),
      restarts: ours.restarts,
      minSpeed: ours.minSpeed,
      allStreaming: ours.allStreaming,
      streamingAtEnd: ours.streamingAtEnd,
      startupS: round(ours.startupS, 1),
      processes: ours.usage.processes,
      nodeProcessCpuPercent: ours.nodeOnly && round(ours.nodeOnly.cpuPercent),
      nodeProcessPssMb: ours.nodeOnly && round(ours.nodeOnly.pssMb, 1),
      nginxCpuPercent: round(ours.nginx.cpuPercent),
      windowS: round(ours.usage.seconds, 1),
    },
    baseline: base && {
      cpuPercent: round(base.usage.cpuPercent),
      pssMb: round(base.usage.pssMb, 1),
      cpuPerRelay: round(base.usage.cpuPercent / n, 3),
      pssPerRelayMb: round(base.usage.pssMb / n, 2),
      allStreaming: base.allStreaming,
      streamingAtEnd: base.streamingAtEnd,
      startupS: round(base.startupS, 1),
      nginxCpuPercent: round(base.nginx.cpuPercent),
      windowS: round(base.usage.seconds, 1),
    },
    /** ours/baseline, per restream (the same as in total, for the same N). */
    ratio: {
      cpu: round(ratio(ours.usage.cpuPercent, base?.usage.cpuPercent) ?? Number.NaN, 2),
      pss: round(ratio(ours.usage.pssMb, base?.usage.pssMb) ?? Number.NaN, 2),
    },
  };
}

export interface ReportInput {
  readonly options: Options;
  readonly startedAt: Date;
  readonly loadBefore: number[];
  /** How it was measured, recorded as given. */
  readonly method: Record<string, unknown>;
  readonly ours: Side;
  readonly base: Side;
}

/** Prints the tables, writes the JSON and the PNG; returns where they went. */
export async function report(input: ReportInput): Promise<{ json: string; png: string }> {
  const { options, startedAt, loadBefore, ours, base } = input;
  const latency = { ours: latencySummary(ours.latency), baseline: latencySummary(base.latency) };
  const cost = ours.cost.map((o) =>
    costRow(
      o,
      base.cost.find((b) => b.n === o.n),
    ),
  );
  const out: string[] = [];
  const ms = (s: Summary | null, key: "median" | "p90" | "min" | "max") => fmt(s?.[key], 0);
  out.push(
    `## Start latency: start -> first frame at an nginx-rtmp player (${options.latencyRuns} runs, ms)`,
    "",
    "| | median | p90 | min | max | failed |",
    "|---|---|---|---|---|---|",
  );
  for (const [name, l] of [
    ["Streamwell (POST start)", latency.ours],
    ["bare ffmpeg pull relay (spawn)", latency.baseline],
  ] as const) {
    const f = l.firstFrameMs;
    out.push(
      `| ${name} | ${ms(f, "median")} | ${ms(f, "p90")} | ${ms(f, "min")} | ${ms(f, "max")} | ${l.failed} |`,
    );
  }
  const o = latency.ours;
  out.push(
    "",
    `Split, medians (ms): ours: POST answered ${ms(o.acceptedMs, "median")}, ffmpeg spawned ${ms(o.spawnedMs, "median")}` +
      ` (node log), output opened ${ms(o.outputOpenedMs, "median")} (node log), \`streaming\` in the API` +
      ` ${ms(o.streamingMs, "median")}, first frame ${ms(o.firstFrameMs, "median")}.` +
      ` Baseline: relay's first progress ${ms(latency.baseline.streamingMs, "median")}, first frame` +
      ` ${ms(latency.baseline.firstFrameMs, "median")}.`,
    "Ours is timed from the POST, the baseline from the relay's spawn; the player's own start is in both.",
    "",
    `## Cost: N restreams of one 3 Mbit/s 720p30 channel (${options.durationS} s window, CPU in % of one core)`,
    "",
    "| N | ours CPU % | ours PSS MB | CPU %/restream | PSS MB/restream | base CPU % | base PSS MB | base CPU %/relay |" +
      " base PSS MB/relay | CPU ours/base | PSS ours/base | CPU overhead | PSS overhead | restarts | min speed |" +
      " all streaming | node alone CPU % | nginx CPU % ours/base |",
    `|${"---|".repeat(18)}`,
  );
  for (const row of cost) {
    const b = row.baseline;
    out.push(
      `| ${row.n} | ${fmt(row.ours.cpuPercent)} | ${fmt(row.ours.pssMb, 0)} | ${fmt(row.ours.cpuPerRestream, 2)} |` +
        ` ${fmt(row.ours.pssPerRestreamMb, 1)} | ${fmt(b?.cpuPercent)} | ${fmt(b?.pssMb, 0)} | ${fmt(b?.cpuPerRelay, 2)} |` +
        ` ${fmt(b?.pssPerRelayMb, 1)} | ${fmt(row.ratio.cpu, 2)} | ${fmt(row.ratio.pss, 2)} | ${pct(row.ratio.cpu - 1)} |` +
        ` ${pct(row.ratio.pss - 1)} | ${row.ours.restarts} | ${fmt(row.ours.minSpeed, 2)} |` +
        ` ${row.ours.allStreaming ? "yes" : `no (${row.ours.streamingAtEnd}/${row.n} at end)`}` +
        `${b && !b.allStreaming ? `, baseline ${b.streamingAtEnd}/${row.n}` : ""} |` +
        ` ${fmt(row.ours.nodeProcessCpuPercent)} | ${fmt(row.ours.nginxCpuPercent)} / ${fmt(b?.nginxCpuPercent)} |`,
    );
  }
  process.stdout.write(`${out.join("\n")}\n`);

  const stamp = startedAt.toISOString().slice(0, 16).replace(":", "");
  const dir = `${ROOT}bench/results`;
  mkdirSync(dir, { recursive: true });
  const pngPath = options.writeDocs
    ? `${ROOT}docs/bench-restreams-cpu.png`
    : `${dir}/restreams-${stamp}-cpu.png`;
  let png: string;
  try {
    const svg = lineChartSvg(
      "CPU of N restreams of one 3 Mbit/s channel",
      "N (restreams / relays)",
      "% of one core",
      [
        {
          name: "Streamwell node + its ffmpegs",
          color: "#1f77b4",
          points: cost.map((r) => ({ x: r.n, y: r.ours.cpuPercent })),
        },
        {
          name: "bare ffmpeg -c copy relays",
          color: "#888888",
          points: cost.flatMap((r) => (r.baseline ? [{ x: r.n, y: r.baseline.cpuPercent }] : [])),
        },
      ],
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
    latency: { ...latency, runs: { ours: ours.latency, baseline: base.latency } },
    cost,
    png,
  };
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  formatJson(jsonPath);
  return { json: jsonPath, png };
}

function machine(loadBefore: number[]) {
  const cores = cpus();
  const debian = existsSync("/etc/debian_version")
    ? readFileSync("/etc/debian_version", "utf8").trim()
    : null;
  return {
    cpu: cores[0]?.model ?? "unknown",
    cores: cores.length,
    memGiB: round(totalmem() / 2 ** 30, 1),
    kernel: release(),
    debian,
    node: process.version,
    ...toolVersions(),
    loadAverageBefore: loadBefore.map((l) => round(l)),
    loadAverageAfter: loadavg().map((l) => round(l)),
  };
}

/** The repository's formatter owns JSON layout (`npm run lint` checks bench/results too). */
function formatJson(path: string): void {
  const biome = `${ROOT}node_modules/.bin/biome`;
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", path], { stdio: "ignore", timeout: 30_000 });
}
