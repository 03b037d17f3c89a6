// Issue 17's figures in one run (run it alone on the machine):
//   npm run bench -- scale [--n 1,10,100,1000] [--duration 120] [--idle 60] [--sse 100]
//                          [--restreams 1000,10000] [--parts pushes,idle,sse,mesh] [--smoke]
// - pushes: N native pushes of one 3 Mbit/s channel to nginx-rtmp, beside nginx-rtmp's own push and
//   Node-Media-Server v4's relay of the same clip to the same destination, one after the other per N:
//   CPU (% of one core) and RSS of the pushing process over the window, restarts and lowest speed (ours).
// - idle: a node with no channel, then with one live channel and no restream: CPU over --idle seconds.
// - sse: --sse event-stream clients on one node; a restream stopped and started: the time until every
//   client has the event; then one REST create on that single node (median of 20).
// - mesh: the mesh benchmark (bench/mesh.ts) per --restreams over a 3-node mesh: up to 1,000 through
//   the REST API with one request at a time (create and start times); above that (10,000) created and
//   started through the catalog on the store, 32 at a time, while the channels are offline, so the
//   leader then places all of them at once when the channels go live ("place"). Both: GET one
//   restream and a channel's list.
// --smoke: N=1, 5 s windows, 3 SSE clients, no mesh: proves the script works, measures nothing.
// JSON to bench/results/scale-<date>.json with the load average at the start; Markdown to stdout.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { runMeshBench } from "./mesh.js";
import { benchClip, publish } from "./support/media.js";
import { type Nginx, startNginx } from "./support/nginx.js";
import { installNms, startNms } from "./support/nms.js";
import { type Usage, UsageSampler } from "./support/proc-stats.js";
import { onInterrupt, type Proc, stopAll } from "./support/processes.js";
import { formatJson, machine, ROOT } from "./support/results.js";
import { scaleMarkdown } from "./support/scale-report.js";
import { type RestreamView, type StreamwellNode, startStreamwell } from "./support/streamwell.js";
import { sleep, waitUntil } from "./support/wait.js";

interface Options {
  readonly ns: number[];
  readonly durationS: number;
  readonly idleS: number;
  readonly sseClients: number;
  readonly restreams: number[];
  readonly parts: Set<string>;
}

export interface PushRun {
  readonly n: number;
  readonly what: "native" | "nginx-rtmp push" | "node-media-server relay";
  readonly usage: Usage;
  readonly allPublishing: boolean;
  /** Pushes whose stream at the destination grew by at least MIN_FLOW_MBPS over the window. */
  readonly receiving: number;
  readonly restarts?: number;
  readonly minSpeed?: number | null;
  /** Errors the 5 s polls saw on our restreams, by code and message (none hold a key). */
  readonly errorsSeen?: Record<string, number>;
}

export interface ScaleRecord {
  readonly startedAt: string;
  readonly loadAverageAtStart: number[];
  readonly quietAtStart: boolean;
  readonly options: Omit<Options, "parts"> & { parts: string[] };
  readonly machine: ReturnType<typeof machine>;
  readonly nmsVersion: string | null;
  readonly pushes: PushRun[];
  readonly idle: { noChannel: Usage; oneChannel: Usage } | null;
  readonly sse: { clients: number; allReceivedMs: number[]; createMs: number } | null;
  readonly mesh: { restreams: number; json: string; record: unknown }[];
}

/** Mesh runs up to this many restreams go through the REST API, one request at a time. */
const REST_RESTREAMS = 1_000;

const say = (text: string): void => {
  process.stderr.write(`bench: ${text}\n`);
};
const numbers = (text: string) => text.split(",").map(Number);

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: "string", default: "1,10,100,1000" },
      duration: { type: "string", default: "120" },
      idle: { type: "string", default: "60" },
      sse: { type: "string", default: "100" },
      restreams: { type: "string", default: "1000,10000" },
      parts: { type: "string", default: "pushes,idle,sse,mesh" },
      smoke: { type: "boolean", default: false },
    },
  });
  if (values.smoke)
    return {
      ns: [1],
      durationS: 5,
      idleS: 5,
      sseClients: 3,
      restreams: [],
      parts: new Set(["pushes", "idle", "sse"]),
    };
  return {
    ns: numbers(values.n),
    durationS: Number(values.duration),
    idleS: Number(values.idle),
    sseClients: Number(values.sse),
    restreams: numbers(values.restreams),
    parts: new Set(values.parts.split(",")),
  };
}

export async function runScaleBench(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  onInterrupt(stopAll);
  const loadAtStart = loadavg();
  const startedAt = new Date();
  const clip = benchClip();
  let nmsVersion: string | null = null;
  const pushes: PushRun[] = [];
  try {
    if (options.parts.has("pushes")) {
      nmsVersion = installNms();
      for (const n of options.ns) pushes.push(...(await pushesAt(n, clip, options.durationS)));
    }
    const idle = options.parts.has("idle") ? await idleNode(clip, options.idleS) : null;
    const sse = options.parts.has("sse") ? await eventClients(options.sseClients) : null;
    const mesh = [];
    if (options.parts.has("mesh")) {
      for (const restreams of options.restreams) {
        const how =
          restreams <= REST_RESTREAMS
            ? ["--via", "api", "--concurrency", "1"]
            : ["--via", "store", "--concurrency", "32", "--start", "offline"];
        const args = ["--restreams", String(restreams), ...how, "--changes", "0", "--bound", "3600"];
        const json = await runMeshBench(args);
        mesh.push({ restreams, json, record: JSON.parse(readFileSync(json, "utf8")) as unknown });
      }
    }
    const record: ScaleRecord = {
      startedAt: startedAt.toISOString(),
      loadAverageAtStart: loadAtStart,
      quietAtStart: (loadAtStart[0] ?? 0) <= 1,
      options: { ...options, parts: [...options.parts] },
      machine: machine(loadAtStart),
      nmsVersion,
      pushes,
      idle,
      sse,
      mesh,
    };
    const dir = `${ROOT}bench/results`;
    mkdirSync(dir, { recursive: true });
    const path = `${dir}/scale-${startedAt.toISOString().slice(0, 16).replace(":", "")}.json`;
    writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
    formatJson(path);
    process.stdout.write(scaleMarkdown(record));
    say(`JSON: ${path}`);
  } finally {
    await stopAll();
  }
}

/** Ours, then nginx-rtmp's push, then NMS's relay: N pushes each, one after the other. */
async function pushesAt(n: number, clip: string, durationS: number): Promise<PushRun[]> {
  const destination = await startNginx();
  try {
    const keys = (prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${n}-${i}`);
    const ours = await nativePushes(n, clip, destination, keys("s"), durationS);
    say(
      `native N=${n}: ${ours.usage.cpuPercent.toFixed(1)} % CPU, ${ours.usage.rssMaxMb.toFixed(0)} MB RSS, ${ours.receiving} receiving`,
    );
    const nginxKeys = keys("x");
    const pusher = await startNginx({ push: { url: destination.url(), keys: nginxKeys } });
    const nginx = await baseline(
      n,
      "nginx-rtmp push",
      pusher.proc,
      publish(clip, pusher.url("in", "src")),
      destination,
      nginxKeys,
      durationS,
    );
    await pusher.stop();
    const nmsKeys = keys("m");
    const nms = await startNms(nmsKeys.map((key) => destination.url(key)));
    const relay = await baseline(
      n,
      "node-media-server relay",
      nms.proc,
      publish(clip, nms.sourceUrl),
      destination,
      nmsKeys,
      durationS,
    );
    await nms.stop();
    return [ours, nginx, relay];
  } finally {
    await destination.stop();
  }
}

/** A baseline server pushing the published clip to every key; its process's usage over the window. */
async function baseline(
  n: number,
  what: PushRun["what"],
  server: Proc,
  source: Proc,
  destination: Nginx,
  keys: readonly string[],
  durationS: number,
): Promise<PushRun> {
  const allPublishing = await waitUntil(
    `${what} publishing`,
    () => destination.seen("publish", keys) === n,
    60_000,
  )
    .then(() => true)
    .catch(() => false);
  const flow = await FlowWindow.open(destination, keys);
  const sampler = new UsageSampler(() => [server.pid]);
  await sleep(durationS * 1000);
  const usage = sampler.stop();
  const receiving = await flow.close();
  await source.stop();
  say(
    `${what} N=${n}: ${usage.cpuPercent.toFixed(1)} % CPU, ${usage.rssMaxMb.toFixed(0)} MB RSS, ${receiving} receiving`,
  );
  return { n, what, usage, allPublishing, receiving };
}

async function nativePushes(
  n: number,
  clip: string,
  destination: Nginx,
  keys: readonly string[],
  durationS: number,
): Promise<PushRun> {
  const node = await startStreamwell({ env: { STREAMWELL_RESTREAM_ENGINE: "native" } });
  try {
    const { api } = node;
    const target = await api.post<{ id: string }>("/destinations", { name: "nginx", url: destination.url() });
    const channel = await liveChannel(node, clip);
    for (const streamKey of keys)
      await api.post(`/channels/${channel}/restreams`, {
        kind: "destination",
        destinationId: target.id,
        streamKey,
      });
    await api.post(`/channels/${channel}/restreams/start`);
    const list = async () =>
      (await api.get<{ items: RestreamView[] }>(`/channels/${channel}/restreams`)).items;
    const allPublishing = await waitUntil(
      "every push streaming",
      async () => (await list()).every((r) => r.state === "streaming"),
      120_000,
    )
      .then(() => true)
      .catch(() => false);
    const flow = await FlowWindow.open(destination, keys);
    const sampler = new UsageSampler(() => [node.proc.pid]);
    let minSpeed: number | null = null;
    const errorsSeen: Record<string, number> = {};
    const deadline = Date.now() + durationS * 1000;
    while (Date.now() < deadline) {
      await sleep(Math.min(5_000, Math.max(0, deadline - Date.now())));
      for (const r of await list()) {
        if (r.state === "streaming") minSpeed = Math.min(minSpeed ?? r.stats.speed, r.stats.speed);
        if (r.error) {
          const what = `${r.error.code}: ${r.error.message.replace(/\d+/g, "#")}`;
          errorsSeen[what] = (errorsSeen[what] ?? 0) + 1;
        }
      }
    }
    const usage = sampler.stop();
    const receiving = await flow.close();
    const restarts = (await list()).reduce((sum, r) => sum + r.stats.restarts, 0);
    return { n, what: "native", usage, allPublishing, receiving, restarts, minSpeed, errorsSeen };
  } finally {
    await node.stop();
  }
}

/** The clip is ~3.1 Mbit/s: a push delivering less than a third of it over the window is not flowing. */
const MIN_FLOW_MBPS = 1;

/** Bytes each key received at the destination between open() and close(). */
class FlowWindow {
  private readonly openedAt = performance.now();

  private constructor(
    private readonly destination: Nginx,
    private readonly keys: readonly string[],
    private readonly before: Map<string, number>,
  ) {}

  static async open(destination: Nginx, keys: readonly string[]): Promise<FlowWindow> {
    return new FlowWindow(destination, keys, await destination.bytesIn());
  }

  /** How many keys received at least MIN_FLOW_MBPS over the window. */
  async close(): Promise<number> {
    const seconds = (performance.now() - this.openedAt) / 1000;
    const after = await this.destination.bytesIn();
    return this.keys.filter((key) => {
      const bytes = (after.get(key) ?? 0) - (this.before.get(key) ?? 0);
      return (bytes * 8) / seconds / 1e6 >= MIN_FLOW_MBPS;
    }).length;
  }
}

/** A channel of `node` with the clip published to it, live. */
async function liveChannel(node: StreamwellNode, clip: string): Promise<string> {
  const channel = await node.api.post<{ id: string; streamKey: string }>("/channels", { name: "Bench" });
  publish(clip, `${node.rtmpBase}/${channel.streamKey}`);
  await waitUntil(
    "the channel live",
    async () => (await node.api.get<{ live: boolean }>(`/channels/${channel.id}`)).live,
    30_000,
  );
  return channel.id;
}

async function idleNode(clip: string, seconds: number): Promise<{ noChannel: Usage; oneChannel: Usage }> {
  const node = await startStreamwell();
  try {
    await sleep(10_000); // start-up work (module loading, the first GCs) is not idle
    let sampler = new UsageSampler(() => [node.proc.pid]);
    await sleep(seconds * 1000);
    const noChannel = sampler.stop();
    await liveChannel(node, clip);
    await sleep(5_000);
    sampler = new UsageSampler(() => [node.proc.pid]);
    await sleep(seconds * 1000);
    const oneChannel = sampler.stop();
    say(
      `idle: ${noChannel.cpuPercent.toFixed(2)} % (no channel), ${oneChannel.cpuPercent.toFixed(2)} % (one channel)`,
    );
    return { noChannel, oneChannel };
  } finally {
    await node.stop();
  }
}

/** `clients` event streams on one node; five state changes; ms until every client had each. */
async function eventClients(clients: number): Promise<NonNullable<ScaleRecord["sse"]>> {
  // One user holds every client here: raise its cap (10 by default) to the clients asked for.
  const node = await startStreamwell({ env: { STREAMWELL_SSE_MAX_PER_USER: String(clients) } });
  const aborts = new AbortController();
  try {
    const { api } = node;
    const target = await api.post<{ id: string }>("/destinations", {
      name: "d",
      url: "rtmp://127.0.0.1:9/live",
    });
    const channel = await api.post<{ id: string }>("/channels", { name: "Events" });
    const restream = await api.post<{ id: string }>(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: target.id,
      streamKey: "sse",
    });
    const seen = Array.from({ length: clients }, () => 0);
    await Promise.all(
      seen.map((_, i) => openStream(api, aborts.signal, restream.id, () => (seen[i] = (seen[i] ?? 0) + 1))),
    );
    const allReceivedMs: number[] = [];
    for (const action of ["start", "stop", "start", "stop", "start"]) {
      const before = [...seen];
      const t0 = performance.now();
      await api.post(`/restreams/${restream.id}/${action}`);
      await waitUntil(
        "every client's event",
        () => seen.every((count, i) => count > (before[i] ?? 0)),
        30_000,
        5,
      );
      allReceivedMs.push(Math.round(performance.now() - t0));
      await sleep(1_000);
    }
    say(`sse: ${clients} clients, all had each change after ${allReceivedMs.join(", ")} ms`);
    const createMs = await medianCreateMs(api, channel.id, target.id);
    return { clients, allReceivedMs, createMs };
  } finally {
    aborts.abort();
    await node.stop();
  }
}

/** One REST create on a single node (with the event streams still open): median of 20, ms. */
async function medianCreateMs(
  api: StreamwellNode["api"],
  channelId: string,
  destinationId: string,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    const t0 = performance.now();
    await api.post(`/channels/${channelId}/restreams`, {
      kind: "destination",
      destinationId,
      streamKey: `c${i}`,
    });
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[10] ?? Number.NaN;
}

/** Opens GET /api/v1/events; calls `onEvent` for each `restream` event about `id`. */
async function openStream(
  api: StreamwellNode["api"],
  signal: AbortSignal,
  id: string,
  onEvent: () => void,
): Promise<void> {
  const response = await fetch(`${api.baseUrl}/api/v1/events`, {
    headers: { authorization: `Bearer ${api.bearer}`, accept: "text/event-stream" },
    signal,
  });
  if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        const blocks = buffered.split("\n\n");
        buffered = blocks.pop() ?? "";
        for (const block of blocks) if (block.includes("event: restream") && block.includes(id)) onEvent();
      }
    } catch {
      // aborted at the end of the run
    }
  })();
}
