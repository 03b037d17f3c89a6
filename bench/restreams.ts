// What a restream costs and how fast it starts, against bare ffmpeg relays through nginx-rtmp.
// One 3 Mbit/s 720p30 H.264/AAC channel is published in real time (ffmpeg -re -stream_loop -1);
// the destination is one local nginx-rtmp. Everything on loopback; every process stopped by PID.
//   npm run bench -- restreams [--n 1,10,50,100] [--duration 120] [--latency-runs 10] [--write-docs]
// 1. Start latency: a player waits at nginx; from POST /restreams/:id/start to its first frame
//    (nginx: wait_key, so a keyframe). Baseline: an `ffmpeg -i rtmp://nginx/live/src -c copy` relay.
// 2. Cost for each N: N restreams of the channel, all streaming, then a window of --duration s: CPU of
//    the node and its descendants (/proc ticks), summed PSS, restarts, min speed. Baseline: N bare
//    relays pulling the same stream from nginx, the same window.
// Markdown to stdout, JSON to bench/results/, a PNG of CPU against N. Numbers: docs/benchmarks.md.
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchClip, player, publish, pullRelay } from "./support/media.js";
import { type Nginx, startNginx } from "./support/nginx.js";
import { descendants, UsageSampler } from "./support/proc-stats.js";
import { onInterrupt, type Proc, stopAll } from "./support/processes.js";
import { type CostRun, type LatencyRun, type Options, report } from "./support/restreams-report.js";
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
  return { ns, durationS, latencyRuns, writeDocs: values["write-docs"] };
}

/** The whole run's time bound, from its options. */
function budgetMs({ ns, durationS, latencyRuns }: Options): number {
  const perN = ns.reduce((sum, n) => sum + 2 * (durationS * 1000 + WARMUP_MS + 90_000 + n * 1_500), 0);
  return 300_000 + latencyRuns * 2 * 45_000 + perN;
}

let node: StreamwellNode | undefined;
let nginx: Nginx | undefined;

async function cleanup(): Promise<void> {
  await node?.stop();
  await stopAll();
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
  nginx = await startNginx();
  node = await startStreamwell();
  const { api } = node;
  const destination = await api.post<{ id: string }>("/destinations", { name: "nginx", url: nginx.url() });
  const channel = await api.post<{ id: string; streamKey: string }>("/channels", { name: "Bench" });
  let source = publish(clip, `${node.rtmpBase}/${channel.streamKey}`);
  await waitUntil(
    "the channel live",
    async () => (await api.get<{ live: boolean }>(`/channels/${channel.id}`)).live,
    20_000,
  );
  await sleep(3_000); // a full GOP (2 s) in the hub's cache

  const ours = { latency: [] as LatencyRun[], cost: [] as CostRun[] };
  const restreams = new Ours(api, node, nginx, channel.id, destination.id);
  for (let i = 0; i < options.latencyRuns; i += 1) {
    ours.latency.push(await restreams.latency(`lat${i}`));
    say(`ours latency run ${i + 1}: ${describe(ours.latency.at(-1))}`);
  }
  for (const n of options.ns) {
    ours.cost.push(await restreams.cost(n, options.durationS));
    say(`ours N=${n}: ${fmt(ours.cost.at(-1)?.usage.cpuPercent)} % CPU`);
  }
  await source.stop();
  await node.stop();
  node = undefined;

  const base = { latency: [] as LatencyRun[], cost: [] as CostRun[] };
  source = publish(clip, nginx.url("src"));
  const server = nginx;
  await waitUntil("the source at nginx", () => server.seen("publish", ["src"]) === 1, 10_000);
  await sleep(3_000);
  for (let i = 0; i < options.latencyRuns; i += 1) {
    base.latency.push(await baselineLatency(server, `blat${i}`));
    say(`baseline latency run ${i + 1}: ${describe(base.latency.at(-1))}`);
  }
  for (const n of options.ns) {
    base.cost.push(await baselineCost(server, n, options.durationS));
    say(`baseline N=${n}: ${fmt(base.cost.at(-1)?.usage.cpuPercent)} % CPU`);
  }
  await source.stop();

  const written = await report({
    options,
    startedAt,
    loadBefore,
    ours,
    base,
    method: {
      warmupS: WARMUP_MS / 1000,
      speedPollS: SPEED_POLL_MS / 1000,
      latencyPollMs: LATENCY_POLL_MS,
      source:
        "20 s testsrc2+sine clip, libx264 veryfast -g 60 3M, aac 128k, FLV; ffmpeg -re -stream_loop -1 -c copy",
      destination: "nginx-rtmp on loopback, application live: live on, wait_key on, wait_video on",
      baseline: "ffmpeg -i rtmp://nginx/live/src -c copy -f flv rtmp://nginx/live/<key> (default probing)",
      cpu: "utime+stime ticks from /proc/<pid>/stat, per process, sampled every 1 s; % of one core",
      pss: "sum of Pss from /proc/<pid>/smaps_rollup, mean of the 1 s samples",
    },
  });
  say(`JSON: ${written.json}; PNG: ${written.png}`);
}

function describe(run: LatencyRun | undefined): string {
  if (!run) return "-";
  return run.error ? `failed: ${run.error}` : `${fmt(run.firstFrameMs, 0)} ms to the first frame`;
}

/** Our restreams, driven through the REST API. */
class Ours {
  constructor(
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
      // The node's own log times (ms): when it spawned ffmpeg, and when ffmpeg opened the output.
      const { lines } = await this.api.get<{ lines: { time: string; text: string }[] }>(
        `/restreams/${id}/logs`,
      );
      const after = (pattern: RegExp): number | undefined => {
        const line = lines.find((l) => Date.parse(l.time) >= wall0 && pattern.test(l.text));
        return line ? Date.parse(line.time) - wall0 : undefined;
      };
      return {
        firstFrameMs: round((frameAt as number) - t0, 1),
        acceptedMs: round(acceptedMs, 1),
        spawnedMs: after(/^ffmpeg: relaying/),
        outputOpenedMs: after(/Output #0/),
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
  const allStreaming = await waitUntil(
    `all ${n} relays publishing`,
    () => server.seen("publish", keys) === n,
    60_000 + n * 1_000,
    500,
  ).catch(() => false);
  const startupS = (performance.now() - t0) / 1000;
  await sleep(WARMUP_MS);
  const usage = new UsageSampler(() => relays.filter((r) => r.running()).map((r) => r.pid));
  const nginxUsage = new UsageSampler(() => [server.proc.pid]);
  await sleep(durationS * 1000);
  const result = { usage: usage.stop(), nginx: nginxUsage.stop() };
  const streamingAtEnd = relays.filter((r) => r.running()).length;
  await Promise.all(relays.map((r) => r.stop()));
  await sleep(1_000);
  return { n, ...result, startupS, allStreaming: allStreaming && streamingAtEnd === n, streamingAtEnd };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runRestreamsBench(process.argv.slice(2));
