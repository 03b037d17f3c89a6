// The scheduler at scale: N restreams over a 3-node mesh (3-server nats-server cluster, KV with 3
// replicas), and how fast the mesh converges after its scheduler leader dies.
//   npm run bench -- mesh [--restreams 10000] [--changes 3] [--concurrency 32] [--engine native]
//                         [--via store|api] [--start live|offline] [--bound 300]
// node-1 leads (lowest id) and holds no ingest; a tiny channel is published to node-2 (A) and one
// to node-3 (B); half the restreams are A's, half B's, all to a loopback port nothing listens on,
// so their actors cycle through connection refused and backoff (stand-in relays: no media leaves).
// 1. Start all: time until every actor runs (the nodes' actor counts, GET /nodes). With
//    `--start offline` the channels' publishers are stopped first and the restreams started while
//    nothing is live (no placement: each waits for its channel); then both channels are published
//    again and the leader places all N new restreams at once: "place" is the time from the publishers'
//    start to the last placement written (the leader's log), with its rounds' summed duration, timed as
//    soon as every placement is written (the actors starting after it may not settle on 2 cores: a run
//    whose actors do not all run within 180 s still writes its JSON, its started figures null).
//    `GET` one restream and a channel's list (N/2) are timed with every restream stopped, and again
//    with every one started.
// 2. SIGKILL node-1: failure detection (kill -> node-2 logs "Node 'node-1' disconnected
//    unexpectedly") and convergence (-> node-2's first `reconciled` round that delivered every
//    placement), with the placements' epochs compared before and after (none may change); node-1
//    is started again (it leads again) before the next change.
// 3. PSS of each node before any restream, with N stopped ones, and with N started.
// Markdown to stdout, JSON to bench/results/. Numbers: docs/benchmarks.md.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Catalog } from "../node/catalog/catalog.js";
import { SECRET_FIELDS } from "../node/catalog/secret-fields.js";
import { Sealer } from "../node/kit/sealer.js";
import { natsEndpoint } from "../node/mesh/nats-endpoint.js";
import { NatsKvStore } from "../node/store/nats-kv-store.js";
import { SealedStore } from "../node/store/sealed-store.js";
import { publish, tinyClip } from "./support/media.js";
import { type Mesh, meshNodeOptions, startMesh } from "./support/mesh.js";
import { NodeLog } from "./support/mesh-log.js";
import { type Change, type MemoryRow, type Placed, report } from "./support/mesh-report.js";
import { freePort } from "./support/net.js";
import { pssKb } from "./support/proc-stats.js";
import { onInterrupt, stopAll } from "./support/processes.js";
import { type Api, type StreamwellNode, startStreamwell } from "./support/streamwell.js";
import { sleep, waitUntil } from "./support/wait.js";

export interface MeshOptions {
  readonly restreams: number;
  readonly changes: number;
  readonly concurrency: number;
  /** The destination's engine (native: the in-process push, no process per actor). */
  readonly engine: string;
  readonly boundS: number;
  /** How restreams are created and started: the REST API, or the catalog's own code on the store. */
  readonly via: "api" | "store";
  /** Whether the channels are live while the restreams are started, or go live after (see above). */
  readonly start: "live" | "offline";
}

const SETTLE_MS = 5_000;
const POLL_MS = 100;
const CHANGE_TIMEOUT_MS = 60_000;

function parseOptions(argv: string[]): MeshOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      restreams: { type: "string", default: "10000" },
      changes: { type: "string", default: "3" },
      concurrency: { type: "string", default: "32" },
      engine: { type: "string", default: "native" },
      bound: { type: "string", default: "300" },
      via: { type: "string", default: "store" },
      start: { type: "string", default: "live" },
    },
  });
  const options = {
    restreams: Number(values.restreams),
    changes: Number(values.changes),
    concurrency: Number(values.concurrency),
    engine: values.engine,
    boundS: Number(values.bound),
    via: values.via as MeshOptions["via"],
    start: values.start as MeshOptions["start"],
  };
  if (options.via !== "api" && options.via !== "store") throw new Error("--via: api or store");
  if (options.start !== "live" && options.start !== "offline") throw new Error("--start: live or offline");
  if (!(Number.isInteger(options.restreams) && options.restreams >= 2 && options.restreams % 2 === 0))
    throw new Error("--restreams: an even whole number >= 2");
  if (!(Number.isInteger(options.changes) && options.changes >= 0 && options.changes <= 10))
    throw new Error("--changes: 0-10");
  if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1 && options.concurrency <= 256))
    throw new Error("--concurrency: 1-256");
  if (!(options.boundS >= 30 && options.boundS <= 3600)) throw new Error("--bound: seconds, 30-3600");
  return options;
}

const say = (text: string): void => {
  process.stderr.write(`bench: ${text}\n`);
};

let mesh: Mesh | undefined;
let leader: StreamwellNode | undefined;
let store: SealedStore | undefined;

async function cleanup(): Promise<void> {
  await store?.close().catch(() => undefined);
  await leader?.stop();
  await mesh?.stop();
  await stopAll();
}

/** Runs the benchmark; resolves with the path of its JSON record. */
export async function runMeshBench(argv: string[]): Promise<string> {
  const options = parseOptions(argv);
  onInterrupt(cleanup);
  const timer = setTimeout(() => {
    say(`time bound of ${options.boundS} s exceeded: stopping`);
    void cleanup().finally(() => process.exit(1));
  }, options.boundS * 1000);
  const logs = [new NodeLog(), new NodeLog(), new NodeLog()];
  try {
    return await measure(options, logs);
  } catch (error) {
    for (const [i, log] of logs.entries()) say(`node-${i + 1}'s last warnings:\n${log.problems.join("\n")}`);
    throw error;
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
}

async function measure(options: MeshOptions, logs: NodeLog[]): Promise<string> {
  const startedAt = new Date();
  const loadBefore = loadavg();
  const n = options.restreams;
  const clip = tinyClip();
  mesh = await startMesh({ nodes: logs.map((log) => ({ onLine: log.onLine })) });
  const started = mesh;
  leader = started.nodes[0];
  const [, node2, node3] = started.nodes as [StreamwellNode, StreamwellNode, StreamwellNode];
  // Sealed with the mesh's key, as the nodes' store: destination URLs and stream keys are sealed at rest.
  const kv = await NatsKvStore.open({ endpoint: natsEndpoint(started.nats.url), bucket: "streamwell-state" });
  store = new SealedStore(kv, new Sealer(Buffer.from(started.secretKey, "base64")), SECRET_FIELDS);
  const api = node2.api; // node-2 outlives every leader change
  say(`mesh up: node-1 ${leader?.proc.pid}, node-2 ${node2.proc.pid}, node-3 ${node3.proc.pid}`);

  const deadPort = await freePort();
  // One destination per writer in flight: each creation writes its destination's `uses` by
  // compare-and-set, and 32 writers on one record ran out of retries.
  const destinations: string[] = [];
  for (let i = 0; i < options.concurrency; i += 1) {
    const made = await api.post<{ id: string }>("/destinations", {
      name: `refused ${i}`,
      url: `rtmp://127.0.0.1:${deadPort}/live`,
      engine: options.engine,
    });
    destinations.push(made.id);
  }
  const channels: string[] = [];
  const ingestUrls: string[] = [];
  for (const [name, node] of [
    ["A", node2],
    ["B", node3],
  ] as const) {
    const channel = await api.post<{ id: string; streamKey: string }>("/channels", { name });
    ingestUrls.push(`${node.rtmpBase}/${channel.streamKey}`);
    channels.push(channel.id);
  }
  const publishers = ingestUrls.map((url) => publish(clip, url));
  await channelsLive(api, channels, true);
  await sleep(SETTLE_MS);
  const memory: MemoryRow[] = [memoryRow("no restreams", started.nodes)];

  const write = restreamWriter(options.via, api, store);
  say(`creating ${n} restreams through the ${options.via} (concurrency ${options.concurrency})`);
  let t0 = performance.now();
  const ids = await inParallel(n, options.concurrency, (i) =>
    write.create(channels[i % 2] as string, destinations[i % destinations.length] as string, `k${i}`),
  );
  const createS = (performance.now() - t0) / 1000;
  say(`created in ${createS.toFixed(1)} s`);
  await sleep(SETTLE_MS);
  memory.push(memoryRow(`${n} stopped`, started.nodes));
  const apiStoppedMs = await timeApi(api, ids[0] as string, channels[0] as string);
  say(`API at ${n} stopped: ${JSON.stringify(apiStoppedMs)}`);

  if (options.start === "offline") {
    say("stopping the publishers: the restreams are started while nothing is live");
    await Promise.all(publishers.map((publisher) => publisher.stop()));
    await channelsLive(api, channels, false);
  }
  say("starting them all");
  t0 = performance.now();
  let startWall = Date.now();
  await inParallel(n, options.concurrency, (i) => write.start(ids[i] as string));
  const startCallsS = (performance.now() - t0) / 1000;
  if (options.start === "offline") {
    await sleep(SETTLE_MS); // the leader's rounds for the starts are over: nothing to place
    say("publishing both channels again: the leader places every restream");
    t0 = performance.now();
    startWall = Date.now();
    for (const url of ingestUrls) publish(clip, url);
  }
  let place: Placed | null = null;
  if (options.start === "offline") {
    // Timed from the leader's log, apart from the actors starting (10,000 at once can starve 2 cores).
    const leaderLog = logs[0] as NodeLog;
    await waitUntil(
      "every placement written",
      () => leaderLog.writtenSince(startWall).length >= n,
      180_000,
      100,
    );
    const lastWrite = leaderLog.writtenSince(startWall)[n - 1] ?? startWall;
    // The round that wrote the last placement logs when it has delivered them (its duration with it).
    await waitUntil(
      "the leader's round to end",
      () => leaderLog.roundsSince(startWall).some((round) => round.at >= lastWrite),
      60_000,
      100,
    ).catch(() => undefined);
    place = placement(leaderLog, startWall, n);
    say(
      `placed ${n} in rounds of ${place?.roundsMs} ms in all (${place?.spanMs} ms first to last; the last written ${place?.fromPublishMs} ms after the publishers started)`,
    );
  }
  // A node busy placing thousands may let one poll time out (504): polled again.
  const counted = () => actorCount(api).catch(() => -1);
  const converged = await waitUntil(
    "every actor running",
    async () => (await counted()) === n,
    180_000,
    POLL_MS,
  )
    .then(() => true)
    .catch((error: unknown) => {
      say(`${String(error)}: the run goes on without the started figures`);
      return false;
    });
  const convergeS = converged ? (performance.now() - t0) / 1000 : null;
  const rounds = logs[0]?.roundsSince(startWall) ?? [];
  // One KV list of every restream record, timed from here: what each round read before the rounds
  // read the node's memory of the store.
  const t1 = performance.now();
  const listed = await store.list("restreams.").then(
    () => true,
    () => false, // a store starved by actors still starting: no figure
  );
  const kvListMs = listed ? Math.round(performance.now() - t1) : null;
  say(`start calls ${startCallsS.toFixed(1)} s; every actor running after ${convergeS?.toFixed(1) ?? "-"} s`);
  await sleep(SETTLE_MS);
  memory.push(memoryRow(`${n} started`, started.nodes));

  const changes: Change[] = [];
  for (let i = 0; converged && i < options.changes; i += 1) {
    changes.push(await leaderChange(started, logs, n, api));
    const c = changes.at(-1);
    say(`leader change ${i + 1}: detected ${c?.detectMs} ms, converged ${c?.convergeMs} ms after`);
  }

  const apiMs = converged ? await timeApi(api, ids[0] as string, channels[0] as string) : null;
  say(`API at ${n} started: ${JSON.stringify(apiMs)}`);

  const written = report({
    startedAt,
    loadBefore,
    options,
    start: {
      createS,
      startCallsS,
      convergeS,
      kvListMs,
      leaderRounds: rounds.map(({ delivered, wanted, ms }) => ({ delivered, wanted, ms })),
      place,
    },
    memory,
    changes,
    apiStoppedMs,
    apiMs,
  });
  say(`JSON: ${written}`);
  return written;
}

async function channelsLive(api: Api, channels: readonly string[], live: boolean): Promise<void> {
  await waitUntil(
    `both channels ${live ? "live" : "offline"}`,
    async () =>
      (await Promise.all(channels.map((id) => api.get<{ live: boolean }>(`/channels/${id}`)))).every(
        (c) => c.live === live,
      ),
    30_000,
  );
}

/**
 * The leader's placement of `n` new restreams after `since` (from its log): its rounds that began
 * before the n-th placement was written, their summed duration, and the first one's start to the
 * n-th write. Null when fewer than `n` were written.
 */
function placement(log: NodeLog, since: number, n: number): Placed | null {
  const last = log.writtenSince(since)[n - 1];
  if (last === undefined) return null;
  const rounds = log.roundsSince(since).filter((round) => round.at - round.ms <= last);
  const first = rounds[0];
  return {
    rounds: rounds.map(({ delivered, wanted, ms }) => ({ delivered, wanted, ms })),
    roundsMs: rounds.reduce((sum, round) => sum + round.ms, 0),
    spanMs: first ? last - (first.at - first.ms) : null,
    fromPublishMs: last - since,
  };
}

/** Kills the leader, times the new leader's convergence, then starts node-1 again (it leads again). */
async function leaderChange(started: Mesh, logs: NodeLog[], n: number, api: Api): Promise<Change> {
  const log2 = logs[1] as NodeLog;
  const before = await epochs();
  const actorsBefore = await actorCount(api);
  const killedAt = Date.now();
  process.kill((leader as StreamwellNode).proc.pid, "SIGKILL");
  const seen = await waitUntil(
    "node-2 to see node-1 gone",
    () => log2.disconnected("node-1", killedAt),
    30_000,
    20,
  );
  const round = await waitUntil(
    "node-2 to deliver every placement",
    () => log2.delivered(n, seen.at),
    CHANGE_TIMEOUT_MS,
    20,
  ).catch(() => undefined);
  const partial = log2.roundsSince(seen.at).filter((r) => r.at <= (round?.at ?? Date.now()));
  await sleep(1_000);
  const after = await epochs();
  const actorsAfter = await actorCount(api);
  await leader?.stop(); // the data dir; the process is gone already
  const rejoinedAt = Date.now();
  leader = await startStreamwell(meshNodeOptions(started, 0, { onLine: (logs[0] as NodeLog).onLine }));
  const back = await waitUntil(
    "node-1 to lead and deliver every placement",
    () => (logs[0] as NodeLog).delivered(n, rejoinedAt),
    CHANGE_TIMEOUT_MS,
    20,
  ).catch(() => undefined);
  return {
    detectMs: seen.at - killedAt,
    convergeMs: round ? round.at - seen.at : null,
    roundMs: round?.ms ?? null,
    rounds: partial.map(({ delivered, wanted, ms }) => ({ delivered, wanted, ms })),
    epochsChanged: changedEpochs(before, after),
    placementsBefore: before.size,
    placementsAfter: after.size,
    actorsBefore,
    actorsAfter,
    rejoinToDeliveredMs: back ? back.at - rejoinedAt : null,
  };
}

interface RestreamWriter {
  create(channelId: string, destinationId: string, streamKey: string): Promise<string>;
  start(id: string): Promise<void>;
}

/**
 * Through the REST API, or through the catalog's own code on the mesh's store: the same checks and
 * records without HTTP, auth and the view each answer carries (which asks every node for its
 * actors' reports, so each call costs O(actors); see docs/benchmarks.md).
 */
function restreamWriter(via: MeshOptions["via"], api: Api, kv: SealedStore): RestreamWriter {
  if (via === "api")
    return {
      create: async (channelId, destinationId, streamKey) => {
        const body = { kind: "destination", destinationId, streamKey };
        return (await api.post<{ id: string }>(`/channels/${channelId}/restreams`, body)).id;
      },
      start: async (id) => {
        await api.post(`/restreams/${id}/start`);
      },
    };
  // Only Remote Playbacks use the SRT port fields; none is created here.
  const catalog = new Catalog(kv, {
    srtPorts: { from: 1, to: 1 },
    home: { nodeId: "bench", host: "127.0.0.1" },
    sessionTtlMs: 1,
  });
  return {
    create: async (channelId, destinationId, streamKey) =>
      (await catalog.createRestream(channelId, { kind: "destination", destinationId, streamKey })).id,
    start: async (id) => {
      await catalog.startRestream(id);
    },
  };
}

/**
 * Milliseconds of a few API reads with every restream started: one restream and a channel's list
 * (median of 5 each, after the node's first list, timed apart).
 */
async function timeApi(
  api: Api,
  restreamId: string,
  channelId: string,
): Promise<Record<string, number | string>> {
  const timed = async (path: string): Promise<number | string> => {
    const t0 = performance.now();
    try {
      await api.get(path);
      return Math.round(performance.now() - t0);
    } catch (error) {
      return (error as Error).message.slice(0, 200);
    }
  };
  const median = async (path: string): Promise<number | string> => {
    const all: (number | string)[] = [];
    for (let i = 0; i < 5; i += 1) all.push(await timed(path));
    const numbers = all.filter((ms): ms is number => typeof ms === "number").sort((a, b) => a - b);
    return numbers[Math.floor(numbers.length / 2)] ?? String(all[0]);
  };
  const getRestream = await median(`/restreams/${restreamId}`);
  // The first list on a node also loads its copy of the restream records (node/store/store-mirror.ts).
  const listChannelFirst = await timed(`/channels/${channelId}/restreams`);
  return { getRestream, listChannelFirst, listChannel: await median(`/channels/${channelId}/restreams`) };
}

/** restreamId -> its placement's epoch (the store revision). */
async function epochs(): Promise<Map<string, number>> {
  const entries = await (store as SealedStore).list<{ restreamId: string }>("placements.");
  return new Map(entries.map((entry) => [entry.value.restreamId, entry.revision]));
}

function changedEpochs(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): number {
  let changed = 0;
  for (const [id, epoch] of before) if (after.get(id) !== epoch) changed += 1;
  return changed;
}

async function actorCount(api: Api): Promise<number> {
  const { items } = await api.get<{ items: { actors: { restream: number } }[] }>("/nodes");
  return items.reduce((sum, node) => sum + node.actors.restream, 0);
}

function memoryRow(label: string, nodes: readonly StreamwellNode[]): MemoryRow {
  return { label, pssMb: nodes.map((node) => Math.round(pssKb(node.proc.pid) / 102.4) / 10) };
}

/** fn(0..count-1), at most `concurrency` at a time; results in index order. */
async function inParallel<T>(
  count: number,
  concurrency: number,
  fn: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) results[i] = await fn(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
