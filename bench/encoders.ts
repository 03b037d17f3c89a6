// What a shared encoder costs against one transcode per destination, and how fast a restream with an
// output profile starts. One 3 Mbit/s 720p30 H.264/AAC channel is published in real time; the profile
// is H.264 1500 kbit/s at 480 lines + AAC 128k; the destination is one local nginx-rtmp. Loopback only;
// every process stopped by PID.
//   npm run bench -- encoders [--n 1,10,50] [--duration 60] [--latency-runs 5]
// 1. Start latency: a player waits at nginx; from POST /restreams/:id/start of a restream with the
//    profile (no encoder running yet) to its first frame there. Each run stops the restream and waits
//    for the encoder to exit, so every run pays the encoder's start.
// 2. Cost for each N, in the same run: "shared", N restreams of the channel with the same profile (one
//    encoder, N pushes) against "separate", N bare ffmpeg transcodes with the same encoder settings,
//    each pulling the same stream from nginx and pushing to its own key. CPU (% of one core) and summed
//    PSS of the node and its descendants, or of the N ffmpegs, over a --duration s window.
// Markdown to stdout, JSON to bench/results/encoders-<time>.json. Numbers: docs/benchmarks.md.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchClip, player, publish } from "./support/media.js";
import { type Nginx, startNginx } from "./support/nginx.js";
import { descendants, type Usage, UsageSampler } from "./support/proc-stats.js";
import { onInterrupt, type Proc, startProcess, stopAll } from "./support/processes.js";
import { formatJson, machine, ROOT } from "./support/results.js";
import { fmt, round } from "./support/stats.js";
import { type Api, type RestreamView, type StreamwellNode, startStreamwell } from "./support/streamwell.js";
import { sleep, waitUntil } from "./support/wait.js";

const PROFILE = {
  video: { codec: "h264", bitrateKbps: 1500, maxHeight: 480 },
  audio: { codec: "aac", bitrateKbps: 128 },
} as const;

/** The encoder's own settings (node/ffmpeg/encoder-args.ts), for the separate transcodes. */
const TRANSCODE_ARGS = [
  ...["-map", "0:v:0?", "-map", "0:a:0?", "-vf", "scale=-2:'min(480,ih)'"],
  ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p"],
  ...["-b:v", "1500k", "-maxrate", "1500k", "-bufsize", "1500k"],
  ...["-force_key_frames", "expr:gte(t,n_forced*2)", "-sc_threshold", "0"],
  ...["-c:a", "aac", "-b:a", "128k"],
];

const WARMUP_MS = 5_000;

interface Options {
  readonly ns: number[];
  readonly durationS: number;
  readonly latencyRuns: number;
}

interface CostRow {
  readonly n: number;
  readonly shared: Usage & { readonly allStreaming: boolean; readonly encoders: number };
  readonly separate: Usage & { readonly allRunning: boolean };
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: "string", default: "1,10,50" },
      duration: { type: "string", default: "60" },
      "latency-runs": { type: "string", default: "5" },
    },
  });
  const ns = values.n.split(",").map(Number);
  const durationS = Number(values.duration);
  const latencyRuns = Number(values["latency-runs"]);
  if (!ns.every((n) => Number.isInteger(n) && n > 0 && n <= 200)) throw new Error("--n: whole numbers 1-200");
  if (!(durationS >= 1 && durationS <= 3600)) throw new Error("--duration: seconds, 1-3600");
  if (!(Number.isInteger(latencyRuns) && latencyRuns >= 0 && latencyRuns <= 50))
    throw new Error("--latency-runs: 0-50");
  return { ns, durationS, latencyRuns };
}

const say = (text: string): void => {
  process.stderr.write(`bench: ${text}\n`);
};

let node: StreamwellNode | undefined;
let nginx: Nginx | undefined;

async function cleanup(): Promise<void> {
  await node?.stop();
  await stopAll();
  await nginx?.stop();
}

export async function runEncodersBench(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  onInterrupt(cleanup);
  const boundMs =
    300_000 +
    options.latencyRuns * 60_000 +
    options.ns.reduce((sum, n) => sum + 2 * (options.durationS * 1000 + 120_000 + n * 2_000), 0);
  const timer = setTimeout(() => {
    say(`time bound of ${Math.round(boundMs / 1000)} s exceeded: stopping`);
    void cleanup().finally(() => process.exit(1));
  }, boundMs);
  try {
    await measure(options);
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
}

async function measure(options: Options): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadavg();
  if ((loadBefore[0] ?? 0) > 0.5)
    say(`load average is ${loadBefore[0]?.toFixed(2)}: the machine is not quiet`);
  const clip = benchClip();
  const server = await startNginx();
  nginx = server;
  const started = await startStreamwell();
  node = started;
  const { api } = started;
  const destination = await api.post<{ id: string }>("/destinations", { name: "nginx", url: server.url() });
  const channel = await api.post<{ id: string; streamKey: string }>("/channels", { name: "Bench" });
  publish(clip, `${started.rtmpBase}/${channel.streamKey}`);
  // The same stream at nginx, for the separate transcodes to pull.
  publish(clip, server.url("src"));
  await waitUntil(
    "the channel live",
    async () => (await api.get<{ live: boolean }>(`/channels/${channel.id}`)).live,
    20_000,
  );
  await sleep(3_000);
  const restreams = new Restreams(api, started, channel.id, destination.id);

  const latencyMs: (number | string)[] = [];
  for (let i = 0; i < options.latencyRuns; i += 1) {
    latencyMs.push(await restreams.latency(server, `lat${i}`).catch((error: Error) => error.message));
    say(`latency run ${i + 1}: ${latencyMs.at(-1)}`);
  }
  const cost: CostRow[] = [];
  for (const n of options.ns) {
    const shared = await restreams.cost(n, options.durationS);
    say(`shared N=${n}: ${fmt(shared.cpuPercent)} % CPU, ${fmt(shared.pssMb)} MB PSS`);
    const separate = await separateTranscodes(server, n, options.durationS);
    say(`separate N=${n}: ${fmt(separate.cpuPercent)} % CPU, ${fmt(separate.pssMb)} MB PSS`);
    cost.push({ n, shared, separate });
  }
  const result = { startedAt, options, profile: PROFILE, machine: machine(loadBefore), latencyMs, cost };
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `encoders-${startedAt.toISOString().slice(0, 16).replace(/:/g, "")}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  formatJson(path);
  process.stdout.write(markdown(latencyMs, cost));
  say(`JSON: ${path}`);
}

function markdown(latencyMs: readonly (number | string)[], cost: readonly CostRow[]): string {
  const lines = [
    `Encoder start latency (POST start -> first frame at nginx), ms: ${latencyMs.join(", ") || "-"}`,
    "",
    "| N | shared: CPU % | shared: PSS MB | encoders | separate: CPU % | separate: PSS MB | CPU ratio (separate / shared) |",
    "|---|---|---|---|---|---|---|",
    ...cost.map(
      ({ n, shared, separate }) =>
        `| ${n} | ${fmt(shared.cpuPercent)} | ${fmt(shared.pssMb)} | ${shared.encoders} | ${fmt(separate.cpuPercent)} | ${fmt(separate.pssMb)} | ${fmt(separate.cpuPercent / shared.cpuPercent)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** N bare ffmpeg transcodes of the stream at nginx, each to its own key. */
async function separateTranscodes(server: Nginx, n: number, durationS: number) {
  const procs: Proc[] = [];
  for (let i = 0; i < n; i += 1) {
    procs.push(
      startProcess("transcode", "ffmpeg", [
        ...["-hide_banner", "-loglevel", "error", "-nostdin", "-rw_timeout", "10000000"],
        ...[
          "-i",
          server.url("src"),
          ...TRANSCODE_ARGS,
          "-rw_timeout",
          "10000000",
          "-f",
          "flv",
          server.url(`sep${n}-${i}`),
        ],
      ]),
    );
  }
  await sleep(WARMUP_MS + 5_000);
  const sampler = new UsageSampler(() => procs.filter((p) => p.running()).map((p) => p.pid));
  await sleep(durationS * 1000);
  const usage = sampler.stop();
  const allRunning = procs.every((p) => p.running());
  await Promise.all(procs.map((p) => p.stop()));
  await sleep(1_000);
  return { ...usage, allRunning };
}

/** Restreams with the profile, driven through the REST API. */
class Restreams {
  constructor(
    private readonly api: Api,
    private readonly node: StreamwellNode,
    private readonly channelId: string,
    private readonly destinationId: string,
  ) {}

  private create(key: string): Promise<RestreamView> {
    return this.api.post<RestreamView>(`/channels/${this.channelId}/restreams`, {
      kind: "destination",
      destinationId: this.destinationId,
      streamKey: key,
      output: PROFILE,
    });
  }

  private encoders(): number {
    return encoderCount(this.node.proc.pid);
  }

  async latency(server: Nginx, key: string): Promise<number> {
    const { id } = await this.create(key);
    let frameAt: number | undefined;
    const play = player(server.url(key), (at) => {
      frameAt = at;
    });
    try {
      await waitUntil(
        "a player waiting",
        () => !play.running() || server.seen("play", [key]) === 1,
        10_000,
        20,
      );
      const t0 = performance.now();
      await this.api.post(`/restreams/${id}/start`);
      await waitUntil("the first frame at the destination", () => frameAt !== undefined, 60_000, 10);
      return round((frameAt as number) - t0, 1);
    } finally {
      await this.api.delete(`/restreams/${id}`).catch(() => undefined);
      await play.stop();
      await waitUntil("the encoder to exit", () => this.encoders() === 0, 20_000).catch(() => undefined);
      await sleep(500);
    }
  }

  async cost(n: number, durationS: number) {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) ids.push((await this.create(`sh${n}-${i}`)).id);
    for (const id of ids) await this.api.post(`/restreams/${id}/start`);
    const streaming = async () => {
      const { items } = await this.api.get<{ items: RestreamView[] }>(
        `/channels/${this.channelId}/restreams`,
      );
      return items.filter((item) => ids.includes(item.id)).every((item) => item.state === "streaming");
    };
    const allStreaming = await waitUntil(`all ${n} streaming`, streaming, 60_000 + n * 1_000, 500).catch(
      () => false,
    );
    await sleep(WARMUP_MS);
    const pid = this.node.proc.pid;
    const sampler = new UsageSampler(() => [pid, ...descendants(pid)]);
    await sleep(durationS * 1000);
    const usage = sampler.stop();
    const encoders = this.encoders();
    const stayed = allStreaming && (await streaming());
    for (const id of ids) await this.api.delete(`/restreams/${id}`);
    await waitUntil("the encoder to exit", () => this.encoders() === 0, 30_000).catch(() => undefined);
    await sleep(1_000);
    return { ...usage, allStreaming: stayed, encoders };
  }
}

/** The node's children whose command line encodes H.264: its shared encoders. */
function encoderCount(nodePid: number): number {
  return descendants(nodePid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("libx264");
    } catch {
      return false;
    }
  }).length;
}
