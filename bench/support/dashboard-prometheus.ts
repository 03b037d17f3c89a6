// Debian's Prometheus for a bench run: a temp config and TSDB, a free loopback port, one job scraping
// one target every few seconds; started and stopped by PID (processes.ts). And its query API.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net.js";
import { type Proc, startProcess } from "./processes.js";
import { waitUntil } from "./wait.js";

/** One series of a query result: its labels and [unix seconds, value] points (one for an instant query). */
export interface PromSeries {
  readonly metric: Record<string, string>;
  readonly points: [number, number][];
}

export interface Prometheus {
  readonly proc: Proc;
  readonly url: string;
  instant(expr: string, time: number): Promise<PromSeries[]>;
  range(expr: string, start: number, end: number, stepS: number): Promise<PromSeries[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(target: string, scrapeS: number): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), "streamwell-bench-prometheus-"));
  const port = await freePort();
  const config = join(dir, "prometheus.yml");
  writeFileSync(
    config,
    [
      `global: { scrape_interval: ${scrapeS}s, scrape_timeout: ${scrapeS}s, evaluation_interval: ${scrapeS}s }`,
      "scrape_configs:",
      "  - job_name: streamwell",
      `    static_configs: [{ targets: [${JSON.stringify(target)}] }]`,
      "",
    ].join("\n"),
  );
  const proc = startProcess("prometheus", "prometheus", [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--log.level=warn",
  ]);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await proc.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(
      "Prometheus ready",
      async () =>
        !proc.running() ||
        (await fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )),
      20_000,
      250,
    );
    if (!proc.running()) throw new Error(`prometheus exited: ${proc.tail.join("\n")}`);
  } catch (error) {
    await stop();
    throw error;
  }
  const api = async (path: string, params: Record<string, string>): Promise<PromSeries[]> => {
    const response = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params)}`, {
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as { status: string; error?: string; data?: { result: Raw[] } };
    if (body.status !== "success") throw new Error(`${body.error ?? response.status} in ${params.query}`);
    return (body.data?.result ?? []).map((r) => ({
      metric: r.metric,
      points: (r.values ?? (r.value ? [r.value] : [])).map(([t, v]) => [t, Number(v)]),
    }));
  };
  return {
    proc,
    url,
    instant: (query, time) => api("query", { query, time: String(time) }),
    range: (query, start, end, stepS) =>
      api("query_range", { query, start: String(start), end: String(end), step: `${stepS}s` }),
    stop,
  };
}

interface Raw {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}
