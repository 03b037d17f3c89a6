// Backup ingest switch times (issue 15): a node with a channel fed by two encoders at once, the
// primary (1280x720, the bench clip) and the backup (320x180, the tiny clip), restreamed by the
// native engine to nginx-rtmp. A player (ffprobe) reads the destination in real time and prints
// each video frame's size and timestamp; the frame size says which encoder it came from. Each round
// SIGKILLs the primary, times until the first backup frame reaches the player (the switch time) and
// the largest step between consecutive timestamps there, then restarts the primary and times
// until its frames are back (5 s of media + its next keyframe, by design). One destination session
// throughout: nginx's log must show one publish. Then the slate's cost (the restream has
// `onSourceLoss: "slate"`): the node's CPU and memory live, then with both encoders gone and the
// slate on air, and the CPU one clip takes to make (bench/support/slate-cost.ts).
// Run: npm run bench -- backup [--rounds 20]   (needs the machine alone; results in bench/results/)
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { benchClip, publish, tinyClip } from "./support/media.js";
import { type Nginx, startNginx } from "./support/nginx.js";
import { onInterrupt, type Proc, startProcess, stopAll } from "./support/processes.js";
import { formatJson, machine, ROOT } from "./support/results.js";
import { clipCost, nodeUsage } from "./support/slate-cost.js";
import { fmt, summarize } from "./support/stats.js";
import { type StreamwellNode, startStreamwell } from "./support/streamwell.js";
import { sleep, waitUntil } from "./support/wait.js";

const BACKUP_WIDTH = 320;
const DEST_KEY = "backup-bench";
/** Each round waits this long on the backup before bringing the primary back. */
const ON_BACKUP_MS = 3_000;
/** How long the node's usage is sampled, live and then holding the slate. */
const USAGE_MS = 10_000;

interface Frame {
  readonly at: number;
  readonly width: number;
  /** Milliseconds. */
  readonly dts: number;
}

interface Round {
  readonly toBackupMs: number;
  readonly toPrimaryMs: number;
  /** The largest step between consecutive frame timestamps at the destination around the switch. */
  readonly largestGapMs: number;
}

const say = (line: string): void => void process.stderr.write(`${line}\n`);

function parseRounds(argv: readonly string[]): number {
  const at = argv.indexOf("--rounds");
  const rounds = at === -1 ? 20 : Number(argv[at + 1]);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds takes a positive integer");
  return rounds;
}

/**
 * ffprobe on the destination: one line per video frame as it arrives, `pkt_dts_time=..|width=..`
 * (named: ffprobe prints a section's fields in its own order, not the order asked).
 */
function player(url: string, frames: Frame[]): Proc {
  return startProcess(
    "player",
    "ffprobe",
    [
      ...["-v", "error", "-rtmp_live", "live", "-select_streams", "v:0"],
      ...["-show_entries", "frame=width,pkt_dts_time", "-of", "compact=p=0", url],
    ],
    {
      onStdoutLine: (line) => {
        const fields = new Map(line.split("|").map((pair) => pair.split("=") as [string, string]));
        const [width, dts] = [Number(fields.get("width")), Number(fields.get("pkt_dts_time"))];
        if (Number.isFinite(width) && Number.isFinite(dts))
          frames.push({ at: Date.now(), width: width as number, dts: Math.round((dts as number) * 1000) });
      },
    },
  );
}

function largestGap(frames: readonly Frame[]): number {
  let gap = 0;
  for (let i = 1; i < frames.length; i += 1)
    gap = Math.max(gap, (frames[i] as Frame).dts - (frames[i - 1] as Frame).dts);
  return gap;
}

async function round(primaryUrl: string, state: { primary: Proc; frames: Frame[] }) {
  const killedAt = Date.now();
  const from = state.frames.length;
  state.primary.child.kill("SIGKILL");
  await state.primary.exited;
  const first = await waitUntil(
    "backup frames at the destination",
    () => state.frames.slice(from).find((frame) => frame.width === BACKUP_WIDTH),
    10_000,
    10,
  );
  await sleep(ON_BACKUP_MS);
  const restartedAt = Date.now();
  const back = state.frames.length;
  state.primary = publish(benchClip(), primaryUrl);
  await waitUntil(
    "primary frames back at the destination",
    () => state.frames.slice(back).find((frame) => frame.width !== BACKUP_WIDTH),
    30_000,
    10,
  );
  const toPrimaryMs = Date.now() - restartedAt;
  await sleep(1_000);
  return {
    toBackupMs: first.at - killedAt,
    toPrimaryMs,
    largestGapMs: largestGap(state.frames.slice(Math.max(0, from - 30))),
  } satisfies Round;
}

export async function runBackupSwitchBench(argv: string[]): Promise<string> {
  const rounds = parseRounds(argv);
  const loadBefore = loadavg();
  let nginx: Nginx | undefined;
  let node: StreamwellNode | undefined;
  const cleanup = async (): Promise<void> => {
    await node?.stop();
    await nginx?.stop();
    await stopAll();
  };
  onInterrupt(cleanup);
  try {
    nginx = await startNginx();
    node = await startStreamwell({ env: { STREAMWELL_RESTREAM_ENGINE: "native" } });
    const { api } = node;
    const channel = await api.post<{ id: string; ingest: { rtmp: string; rtmpBackup: string } }>(
      "/channels",
      { name: "bench", backup: true },
    );
    const state = { primary: publish(benchClip(), channel.ingest.rtmp), frames: [] as Frame[] };
    const backup = publish(tinyClip(), channel.ingest.rtmpBackup);
    await waitUntil(
      "the primary on air",
      async () => (await api.get<{ input: string | null }>(`/channels/${channel.id}`)).input === "primary",
      20_000,
    );
    const destination = await api.post<{ id: string }>("/destinations", {
      name: "nginx",
      url: nginx.url(),
    });
    const restream = await api.post<{ id: string }>(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      destinationId: destination.id,
      streamKey: DEST_KEY,
      onSourceLoss: "slate",
      slateSeconds: 600,
    });
    await api.post(`/restreams/${restream.id}/start`);
    player(nginx.url(DEST_KEY), state.frames);
    await waitUntil("frames at the destination", () => state.frames.length > 60, 30_000);
    const results: Round[] = [];
    for (let i = 0; i < rounds; i += 1) {
      results.push(await round(channel.ingest.rtmp, state));
      const last = results.at(-1) as Round;
      say(`round ${i + 1}: backup after ${last.toBackupMs} ms, primary back after ${last.toPrimaryMs} ms`);
    }
    const live = await nodeUsage(node.proc.pid, USAGE_MS);
    state.primary.child.kill("SIGKILL");
    backup.child.kill("SIGKILL");
    await waitUntil(
      "the slate on air",
      async () => (await api.get<{ holding: boolean }>(`/restreams/${restream.id}`)).holding,
      30_000,
    );
    const holding = await nodeUsage(node.proc.pid, USAGE_MS);
    const clip = clipCost();
    const slate = { live, holding, clip };
    say(
      `slate: clip ${clip.cpuSeconds.toFixed(2)} s CPU; node ${live.cpuPercent.toFixed(1)} % live, ${holding.cpuPercent.toFixed(1)} % holding`,
    );
    const publishes = nginx.seen("publish", [DEST_KEY]);
    const record = {
      bench: "backup-switch",
      at: new Date().toISOString(),
      machine: machine(loadBefore),
      rounds: results,
      toBackupMs: summarize(results.map((r) => r.toBackupMs)),
      toPrimaryMs: summarize(results.map((r) => r.toPrimaryMs)),
      largestGapMs: Math.max(...results.map((r) => r.largestGapMs)),
      destinationPublishes: publishes,
      slate,
    };
    const path = `${ROOT}bench/results/backup-switch-${record.at.slice(0, 16).replace(/[-:]/g, "")}.json`;
    writeFileSync(path, JSON.stringify(record));
    formatJson(path);
    const { toBackupMs: b, toPrimaryMs: p } = record;
    process.stdout.write(
      `| switch | median ms | p90 ms | max ms |\n|---|---|---|---|\n` +
        `| primary killed -> backup frames at the destination | ${fmt(b?.median, 0)} | ${fmt(b?.p90, 0)} | ${fmt(b?.max, 0)} |\n` +
        `| primary restarted -> its frames back | ${fmt(p?.median, 0)} | ${fmt(p?.p90, 0)} | ${fmt(p?.max, 0)} |\n\n` +
        `Largest timestamp step at the destination: ${record.largestGapMs} ms; destination publishes: ${publishes}. ` +
        `Load before: ${loadBefore.map((l) => l.toFixed(2)).join(" ")}.\n\n` +
        `| slate cost | CPU | RSS MB |\n|---|---|---|\n` +
        `| node + children, live (primary on air) | ${fmt(live.cpuPercent)} % | ${fmt(live.rssMb)} |\n` +
        `| node + children, slate on air (no encoder) | ${fmt(holding.cpuPercent)} % | ${fmt(holding.rssMb)} |\n` +
        `| making one clip (1280x720 30 fps, 4 s) | ${fmt(clip.cpuSeconds, 2)} s (${fmt(clip.wallSeconds, 2)} s wall) | clip ${fmt(clip.clipBytes / 1024)} KiB |\n`,
    );
    return path;
  } finally {
    await cleanup();
  }
}
