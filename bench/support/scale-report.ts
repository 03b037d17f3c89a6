// The scale benchmark's Markdown: issue 17's targets, each beside what this run measured and the
// baselines of the same run (docs/benchmarks.md has the same table with "measured" to fill).
import type { PushRun, ScaleRecord } from "../scale.js";
import { fmt } from "./stats.js";

interface ApiMs {
  readonly getRestream?: number | string;
  readonly listChannel?: number | string;
  readonly listChannelFirst?: number | string;
}

interface MeshSummary {
  readonly start?: {
    createS?: number;
    startCallsS?: number;
    leaderRounds?: { ms: number }[];
    place?: { roundsMs: number; spanMs: number | null; fromPublishMs?: number } | null;
  };
  readonly apiMs?: ApiMs | null;
  readonly apiStoppedMs?: ApiMs;
}

const run = (record: ScaleRecord, n: number, what: PushRun["what"]) =>
  record.pushes.find((p) => p.n === n && p.what === what);

function meshAt(record: ScaleRecord, restreams: number): MeshSummary | undefined {
  return record.mesh.find((m) => m.restreams === restreams)?.record as MeshSummary | undefined;
}

function pushRows(record: ScaleRecord): string[] {
  const ours = run(record, 100, "native");
  const nginx = run(record, 100, "nginx-rtmp push");
  const nms = run(record, 100, "node-media-server relay");
  const ratio = ours && nginx ? ours.usage.cpuPercent / nginx.usage.cpuPercent : undefined;
  const thousand = run(record, 1000, "native");
  return [
    `| 100 native pushes, node CPU | ratio to nginx-rtmp <= 1.25 | ${fmt(ours?.usage.cpuPercent)} % (ratio ${fmt(ratio, 2)}) | nginx-rtmp ${fmt(nginx?.usage.cpuPercent)} %, NMS ${fmt(nms?.usage.cpuPercent)} % |`,
    `| 100 native pushes, node RSS | <= 120 MB | ${fmt(ours?.usage.rssMaxMb, 0)} MB | nginx-rtmp ${fmt(nginx?.usage.rssMaxMb, 0)} MB, NMS ${fmt(nms?.usage.rssMaxMb, 0)} MB |`,
    `| 1,000 native pushes of one channel | speed 1.0 for 2 min, 0 restarts, <= 70 % of a core, <= 400 MB RSS | ${thousand ? `speed >= ${fmt(thousand.minSpeed, 2)}, ${thousand.restarts} restarts, ${fmt(thousand.usage.cpuPercent)} %, ${fmt(thousand.usage.rssMaxMb, 0)} MB` : "-"} | nginx-rtmp ${fmt(run(record, 1000, "nginx-rtmp push")?.usage.cpuPercent)} % |`,
  ];
}

/** Every push run: what it cost and how many of its pushes the destination saw media from. */
function pushTable(record: ScaleRecord): string {
  if (record.pushes.length === 0) return "";
  const rows = record.pushes.map(
    (p) =>
      `| ${p.n} | ${p.what} | ${fmt(p.usage.cpuPercent)} | ${fmt(p.usage.rssMaxMb, 0)} | ${p.receiving}/${p.n} | ${p.restarts ?? "-"} |`,
  );
  return [
    "",
    "| N | pushing process | CPU % of a core | RSS MB (max) | receiving media at the destination | restarts |",
    "|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

/** The leader's rounds that placed every restream once its channel went live (`--start offline`). */
function placeCell(mesh: MeshSummary | undefined): string {
  const place = mesh?.start?.place;
  if (place)
    return `${fmt((place.fromPublishMs ?? Number.NaN) / 1000, 2)} s from the publishers' start to the last placement written (first round to last write ${fmt((place.spanMs ?? Number.NaN) / 1000, 2)} s; leader rounds ${fmt(place.roundsMs / 1000, 2)} s)`;
  const rounds = mesh?.start?.leaderRounds;
  return rounds
    ? `${fmt(rounds.reduce((total, r) => total + r.ms, 0) / 1000)} s (leader rounds during the starts)`
    : "-";
}

export function scaleMarkdown(record: ScaleRecord): string {
  const small = meshAt(record, 1000);
  const large = meshAt(record, 10000);
  const sse = record.sse;
  const rows = [
    "| figure | target | measured | baselines, same run |",
    "|---|---|---|---|",
    ...pushRows(record),
    `| idle node (no channel) / one live channel, no restream | <= 0.5 % / <= 1.5 % | ${fmt(record.idle?.noChannel.cpuPercent, 2)} % / ${fmt(record.idle?.oneChannel.cpuPercent, 2)} % | |`,
    `| one REST create, single node | <= 3 ms | ${fmt(sse?.createMs, 1)} ms (median of 20) | |`,
    `| create 1,000 restreams over REST (3-node mesh) | <= 3 s (sequential client) | ${fmt(small?.start?.createS)} s | |`,
    `| \`GET\` a channel's list of 5,000 restreams | <= 100 ms | started: ${large?.apiMs?.listChannel ?? "-"} ms, stopped: ${large?.apiStoppedMs?.listChannel ?? "-"} ms (medians of 5; the node's first list ${large?.apiMs?.listChannelFirst ?? "-"} / ${large?.apiStoppedMs?.listChannelFirst ?? "-"} ms) | |`,
    `| one state change with ${sse?.clients ?? 100} SSE clients connected | 1 view; all clients get it <= 200 ms | max ${sse ? Math.max(...sse.allReceivedMs) : "-"} ms | |`,
    `| place 10,000 new restreams | <= 5 s | ${placeCell(large)} | |`,
  ];
  const load = record.loadAverageAtStart.map((l) => l.toFixed(2)).join(" ");
  const quiet = record.quietAtStart ? "quiet" : "NOT quiet (load average above 1.0 at the start)";
  return `Load average at the start: ${load} (${quiet}).\n\n${rows.join("\n")}\n${pushTable(record)}`;
}
