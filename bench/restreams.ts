// What a restream costs and how fast it starts, per engine, against two baselines, one after the
// other in one run. One 3 Mbit/s 720p30 H.264/AAC channel is published in real time (ffmpeg -re
// -stream_loop -1); the destination is one local nginx-rtmp. Everything on loopback; every process
// stopped by PID.
//   npm run bench -- restreams [--n 1,10,50,100] [--engine native,ffmpeg] [--baseline pull,push]
//                              [--duration 120] [--latency-runs 10] [--write-docs]
// 1. Start latency, per engine: a player waits at nginx; from POST /restreams/:id/start to its first
//    frame (nginx: wait_key, so a keyframe). Baseline "pull": an `ffmpeg -i rtmp://nginx/live/src -c
//    copy` relay, from its spawn.
// 2. Cost for each N, per engine: a node with STREAMWELL_RESTREAM_ENGINE=<engine>, N restreams of the
//    channel all streaming, then a window of --duration s: CPU of the node and its descendants (/proc
//    ticks), of the node alone, summed PSS and RSS, restarts, min speed. Baselines, the same window:
//    "pull", N bare relays pulling the stream from nginx; "push", a second nginx-rtmp with N `push`
//    directives in the application the stream is published to.
// Markdown to stdout, JSON to bench/results/, a PNG of CPU against N. Numbers: docs/benchmarks.md.
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchClip, player, publish, pullRelay } from "./support/media.js";
import { type Nginx, startNginx } from "./support/nginx.js";
import { descendants, UsageSampler } from "./support/proc-stats.js";
import { onInterrupt, type Proc, stopAll } from "./support/processes.js";
import {
  BASELINES,
  type CostRun,
  ENGINES,
  type EngineName,
  type LatencyRun,
  type Options,
  type Results,
  report,
} from "./support/restreams-report.js";
import { fmt, round } from "./support/stats.js";
import { type Api, type RestreamView, type StreamwellNode, startStreamwell } from "./support/streamwell.js";
import { sleep, waitUntil } from "./support/wait.js";

const WARMUP_MS = 5_000;
const SPEED_POLL_MS = 5_000;
const LATENCY_POLL_MS = 20;

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: "string", default: "1,10,50,100" },
      engine: { type: "string", default: ENGINES.join(",") },
      baseline: { type: "string", default: BASELINES.join(",") },
      duration: { type: "string", default: "120" },
      "latency-runs": { type: "string", default: "10" },
      "write-docs": { type: "boolean", default: false },
    },
  });
  const ns = values.n.split(",").map(Number);
  const durationS = Number(values.duration);
  const latencyRuns = Number(values["latency-runs"]);
  if (!ns.every((n) => Number.isInteger(n) && n > 0 && n <= 500)) throw new Error("--n: whole numbers 1-500");
  if (!(durationS >= 1 && durationS <= 3600)) throw new Error("--duration: seconds, 1-3600");
  if (!(Number.isInteger(latencyRuns) && latencyRuns >= 0 && latencyRuns <= 100))
    throw new Error("--latency-runs: 0-100");
  const engines = list(values.engine, ENGINES, "--engine");
  const baselines = list(values.baseline, BASELINES, "--baseline");
  return { ns, durationS, latencyRuns, engines, baselines, writeDocs: values["write-docs"] };
}

/** A comma-separated choice among `known` ("" for none). */
function list<T extends string>(text: string, known: readonly T[], flag: string): T[] {
  const picked = text.split(",").filter((item) => item !== "");
  const unknown = picked.filter((item) => !(known as readonly string[]).includes(item));
  if (unknown.length > 0) throw new Error(`${flag}: ${unknown.join(", ")} (known: ${known.join(", ")})`);
  return picked as T[];
}

/** The whole run's time bound, from its options. */
function budgetMs({ ns, durationS, latencyRuns, engines, baselines }: Options): number {
  const subjects = engines.length + baselines.length;
  const perN = ns.reduce((sum, n) => sum + subjects * (durationS * 1000 + WARMUP_MS + 90_000 + n * 1_500), 0);
  return 300_000 + latencyRuns * (engines.length + 1) * 45_000 + perN;
}

let node: StreamwellNode | undefined;
let nginx: Nginx | undefined;
let pusher: Nginx | undefined;

async function cleanup(): Promise<void> {
  await node?.stop();
  await stopAll();
  await pusher?.stop();
  await nginx?.stop();
}

const say = (text: string): void => {
  process.stderr.write(`bench: ${text}\n`);
};

export async function runRestreamsBench(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  onInterrupt(cleanup);
  const bound = budgetMs(options);
  const timer = setTimeout(() => {
    say(`time bound of ${Math.round(bound / 1000)} s exceeded: stopping`);
    void cleanup().finally(() => process.exit(1));
  }, bound);
  try {
    await measure(options, bound);
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
}

async function measure(options: Options, bound: number): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadavg();
  if ((loadBefore[0] ?? 0) > 0.5)
    say(`load average is ${loadBefore[0]?.toFixed(2)}: the machine is not quiet`);
  say(`run bounded to ${Math.round(bound / 1000)} s; making/finding the clip`);
  const clip = benchClip();
  const destination = await startNginx();
  nginx = destination;
  const results: Results = { engines: [] };
  for (const engine of options.engines) {
    results.engines.push({ engine, ...(await measureEngine(engine, clip, destination, options)) });
  }
  if (options.baselines.includes("pull")) results.pull = await measurePull(clip, destination, options);
  if (options.baselines.includes("push")) results.push = await measurePush(clip, destination, options);

  const written = await report({
    options,
    startedAt,
    loadBefore,
    results,
    method: {
      warmupS: WARMUP_MS / 1000,
      speedPollS: SPEED_POLL_MS / 1000,
      latencyPollMs: LATENCY_POLL_MS,
      source:
        "20 s testsrc2+sine clip, libx264 veryfast -g 60 3M, aac 128k, FLV; ffmpeg -re -stream_loop -1 -c copy",
      destination: "nginx-rtmp on loopback, application live: live on, wait_key on, wait_video on",
      engines:
        "a node per engine, STREAMWELL_RESTREAM_ENGINE=<engine>, restreams driven through the REST API",
      pull: "ffmpeg -i rtmp://nginx/live/src -c copy -f flv rtmp://nginx/live/<key> (default probing)",
      push: "a second nginx-rtmp, application src with one `push rtmp://nginx/live playPath=<key>` per restream",
      cpu: "utime+stime ticks from /proc/<pid>/stat, per process, sampled every 1 s; % of one core",
      pss: "sum of Pss from /proc/<pid>/smaps_rollup, mean of the 1 s samples",
      rss: "sum of VmRSS from /proc/<pid>/status, mean of the 1 s samples",
    },
  });
  say(`JSON: ${written.json}; PNG: ${written.png}`);
}

/** One engine: a node of its own, its latency runs, then the cost for each N. */
async function measureEngine(
  engine: EngineName,
  clip: string,
  destination: Nginx,
  options: Options,
): Promise<{ latency: LatencyRun[]; cost: CostRun[] }> {
  const started = await startStreamwell({ env: { STREAMWELL_RESTREAM_ENGINE: engine } });
  node = started;
  const { api } = started;
  const target = await api.post<{ id: string }>("/destinations", { name: "nginx", url: destination.url() });
  const channel = await api.post<{ id: string; streamKey: string }>("/channels", { name: "Bench" });
  const source = publish(clip, `${started.rtmpBase}/${channel.streamKey}`);
  await waitUntil(
    "the channel live",
    async () => (await api.get<{ live: boolean }>(`/channels/${channel.id}`)).live,
    20_000,
  );
  await sleep(3_000); // a full GOP (2 s) in the hub's cache
  const restreams = new Ours(engine, api, started, destination, channel.id, target.id);
  const latency: LatencyRun[] = [];
  const cost: CostRun[] = [];
  for (let i = 0; i < options.latencyRuns; i += 1) {
    latency.push(await restreams.latency(`${engine}-lat${i}`));
    say(`${engine} latency run ${i + 1}: ${describe(latency.at(-1))}`);
  }
  for (const n of options.ns) {
    cost.push(await restreams.cost(n, options.durationS));
    say(`${engine} N=${n}: ${fmt(cost.at(-1)?.usage.cpuPercent)} % CPU`);
  }
  await source.stop();
  await started.stop();
  node = undefined;
  return { latency, cost };
}

async function measurePull(
  clip: string,
  server: Nginx,
  options: Options,
): Promise<{ latency: LatencyRun[]; cost: CostRun[] }> {
  const source = publish(clip, server.url("src"));
  await waitUntil("the source at nginx", () => server.seen("publish", ["src"]) === 1, 10_000);
  await sleep(3_000);
  const latency: LatencyRun[] = [];
  const cost: CostRun[] = [];
  for (let i = 0; i < options.latencyRuns; i += 1) {
    latency.push(await baselineLatency(server, `blat${i}`));
    say(`pull latency run ${i + 1}: ${describe(latency.at(-1))}`);
  }
  for (const n of options.ns) {
    cost.push(await baselineCost(server, n, options.durationS));
    say(`pull N=${n}: ${fmt(cost.at(-1)?.usage.cpuPercent)} % CPU`);
  }
  await source.stop();
  return { latency, cost };
}

/** nginx-rtmp's own push: a second nginx per N, its application "src" pushing to every key. */
async function measurePush(clip: string, destination: Nginx, options: Options): Promise<{ cost: CostRun[] }> {
  const cost: CostRun[] = [];
  for (const n of options.ns) {
    const keys = Array.from({ length: n }, (_, i) => `p${n}-${i}`);
    const server = await startNginx({ push: { url: destination.url(), keys } });
    pusher = server;
    const source = publish(clip, server.url("in", "src"));
    const { allStreaming, startupS } = await allPublishing(destination, keys, "pushes", performance.now());
    const result = await measureWindow(() => [server.proc.pid], destination, options.durationS);
    const running = server.proc.running();
    await source.stop();
    await server.stop();
    pusher = undefined;
    await sleep(1_000);
    cost.push({
      n,
      ...result,
      startupS,
      allStreaming: allStreaming && running,
      streamingAtEnd: running ? n : 0,
    });
    say(`push N=${n}: ${fmt(cost.at(-1)?.usage.cpuPercent)} % CPU`);
  }
  return { cost };
}

function describe(run: LatencyRun | undefined): string {
  if (!run) return "-";
  return run.error ? `failed: ${run.error}` : `${fmt(run.firstFrameMs, 0)} ms to the first frame`;
}

/** The engine's first log line of a push, and the line that says the destination took it. */
const LOG_MARKS: Record<EngineName, { launched: RegExp; opened: RegExp }> = {
  native: { launched: /^native: pushing to/, opened: /NetStream\.Publish\.Start/ },
  ffmpeg: { launched: /^ffmpeg: relaying/, opened: /Output #0/ },
};

/** Our restreams, driven through the REST API. */
class Ours {
  constructor(
    private readonly engine: EngineName,
    private readonly api: Api,
    private readonly node: StreamwellNode,
    private readonly nginx: Nginx,
    private readonly channelId: string,
    private readonly destinationId: string,
  ) {}

  private create(key: string): Promise<RestreamView> {
    return this.api.post<RestreamView>(`/channels/${this.channelId}/restreams`, {
      kind: "destination",
      destinationId: this.destinationId,
      streamKey: key,
    });
  }

  private async list(ids: ReadonlySet<string>): Promise<RestreamView[]> {
    const { items } = await this.api.get<{ items: RestreamView[] }>(`/channels/${this.channelId}/restreams`);
    return items.filter((item) => ids.has(item.id));
  }

  private relaysGone(timeoutMs: number): Promise<boolean> {
    return waitUntil(
      "the node's relays to exit",
      () => descendants(this.node.proc.pid).length === 0,
      timeoutMs,
    );
  }

  async latency(key: string): Promise<LatencyRun> {
    const { id } = await this.create(key);
    let frameAt: number | undefined;
    const play = player(this.nginx.url(key), (at) => {
      frameAt = at;
    });
    try {
      await waitForPlayer(this.nginx, play, key);
      const wall0 = Date.now();
      const t0 = performance.now();
      await this.api.post(`/restreams/${id}/start`);
      const acceptedMs = performance.now() - t0;
      let streamingMs: number | undefined;
      await waitUntil(
        "streaming",
        async () => {
          const view = await this.api.get<RestreamView>(`/restreams/${id}`);
          if (view.state === "error") throw new Error("the restream reported an error");
          if (view.state === "streaming") streamingMs = performance.now() - t0;
          return streamingMs !== undefined;
        },
        30_000,
        LATENCY_POLL_MS,
      );
      await waitUntil("the first frame at the destination", () => frameAt !== undefined, 30_000, 10);
      // The node's own log times (ms): when the engine began the push, and when the destination took it.
      const { lines } = await this.api.get<{ lines: { time: string; text: string }[] }>(
        `/restreams/${id}/logs`,
      );
      const after = (pattern: RegExp): number | undefined => {
        const line = lines.find((l) => Date.parse(l.time) >= wall0 && pattern.test(l.text));
        return line ? Date.parse(line.time) - wall0 : undefined;
      };
      const marks = LOG_MARKS[this.engine];
      return {
        firstFrameMs: round((frameAt as number) - t0, 1),
        acceptedMs: round(acceptedMs, 1),
        launchedMs: after(marks.launched),
        outputOpenedMs: after(marks.opened),
        streamingMs: streamingMs === undefined ? undefined : round(streamingMs, 1),
      };
    } catch (error) {
      return { error: (error as Error).message };
    } finally {
      await this.api.post(`/restreams/${id}/stop`).catch(() => undefined);
      await play.stop();
      await this.relaysGone(15_000).catch(() => undefined);
      await sleep(500);
    }
  }

  async cost(n: number, durationS: number): Promise<CostRun> {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) ids.push((await this.create(`c${n}-${i}`)).id);
    const idSet = new Set(ids);
    const t0 = performance.now();
    for (const id of ids) await this.api.post(`/restreams/${id}/start`);
    const allStreaming = await waitUntil(
      `all ${n} restreams streaming`,
      async () => (await this.list(idSet)).every((r) => r.state === "streaming"),
      60_000 + n * 1_000,
      500,
    ).catch(() => false);
    const startupS = (performance.now() - t0) / 1000;
    await sleep(WARMUP_MS);
    const pid = this.node.proc.pid;
    const usage = new UsageSampler(() => [pid, ...descendants(pid)]);
    const nodeOnly = new UsageSampler(() => [pid]);
    const nginxUsage = new UsageSampler(() => [this.nginx.proc.pid]);
    let minSpeed = Number.POSITIVE_INFINITY;
    let stayed = allStreaming;
    const end = performance.now() + durationS * 1000;
    while (performance.now() < end) {
      await sleep(Math.min(SPEED_POLL_MS, end - performance.now()));
      for (const r of await this.list(idSet)) {
        if (r.state !== "streaming") stayed = false;
        minSpeed = Math.min(minSpeed, r.stats.speed);
      }
    }
    const result = { usage: usage.stop(), nodeOnly: nodeOnly.stop(), nginx: nginxUsage.stop() };
    const final = await this.list(idSet);
    for (const id of ids) await this.api.delete(`/restreams/${id}`);
    await this.relaysGone(30_000 + n * 200).catch(() => undefined);
    await sleep(1_000);
    return {
      n,
      ...result,
      startupS,
      allStreaming: stayed && final.every((r) => r.state === "streaming"),
      streamingAtEnd: final.filter((r) => r.state === "streaming").length,
      restarts: final.reduce((sum, r) => sum + r.stats.restarts, 0),
      minSpeed: Number.isFinite(minSpeed) ? minSpeed : null,
    };
  }
}

async function waitForPlayer(server: Nginx, play: Proc, key: string): Promise<void> {
  await waitUntil(
    `a player waiting for ${key}`,
    () => !play.running() || server.seen("play", [key]) === 1,
    10_000,
    20,
  );
  if (!play.running()) throw new Error(`the player exited: ${play.tail.join(" | ")}`);
}

async function baselineLatency(server: Nginx, key: string): Promise<LatencyRun> {
  let frameAt: number | undefined;
  let streamingAt: number | undefined;
  const play = player(server.url(key), (at) => {
    frameAt = at;
  });
  let relay: Proc | undefined;
  try {
    await waitForPlayer(server, play, key);
    const t0 = performance.now();
    relay = pullRelay(server.url("src"), server.url(key), (line) => {
      if (streamingAt === undefined && line.startsWith("total_size=") && Number(line.slice(11)) > 0)
        streamingAt = performance.now();
    });
    const started = relay;
    await waitUntil(
      "the first frame at the destination",
      () => frameAt !== undefined || !started.running(),
      30_000,
      10,
    );
    if (frameAt === undefined) throw new Error(`the relay exited: ${started.tail.join(" | ")}`);
    return {
      firstFrameMs: round(frameAt - t0, 1),
      streamingMs: streamingAt === undefined ? undefined : round(streamingAt - t0, 1),
    };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await relay?.stop();
    await play.stop();
    await sleep(500);
  }
}

async function baselineCost(server: Nginx, n: number, durationS: number): Promise<CostRun> {
  const keys = Array.from({ length: n }, (_, i) => `b${n}-${i}`);
  const t0 = performance.now();
  const relays = keys.map((key) => pullRelay(server.url("src"), server.url(key)));
  const { allStreaming, startupS } = await allPublishing(server, keys, "relays", t0);
  const running = () => relays.filter((r) => r.running()).map((r) => r.pid);
  const result = await measureWindow(running, server, durationS);
  const streamingAtEnd = relays.filter((r) => r.running()).length;
  await Promise.all(relays.map((r) => r.stop()));
  await sleep(1_000);
  return { n, ...result, startupS, allStreaming: allStreaming && streamingAtEnd === n, streamingAtEnd };
}

/** Waits until the destination saw every key publish; and how long that took from t0. */
async function allPublishing(destination: Nginx, keys: readonly string[], what: string, t0: number) {
  const allStreaming = await waitUntil(
    `all ${keys.length} ${what} publishing`,
    () => destination.seen("publish", keys) === keys.length,
    60_000 + keys.length * 1_000,
    500,
  ).catch(() => false);
  return { allStreaming, startupS: (performance.now() - t0) / 1000 };
}

/** After the warm-up: CPU and memory of `pids` (asked anew each sample) and of the destination. */
async function measureWindow(pids: () => number[], destination: Nginx, durationS: number) {
  await sleep(WARMUP_MS);
  const usage = new UsageSampler(pids);
  const nginxUsage = new UsageSampler(() => [destination.proc.pid]);
  await sleep(durationS * 1000);
  return { usage: usage.stop(), nginx: nginxUsage.stop() };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runRestreamsBench(process.argv.slice(2));
