// What the fault tests read from the mesh, each bounded in time: which nodes a node sees, a
// restream's state and node, the records a user made (to compare before and after a fault), and
// how long a condition took to hold (the figures docs/reliability.md reports).
import type { ApiClient } from "../api-client.js";
import type { LabMesh, NodeId } from "./mesh.js";

const CALL_TIMEOUT_MS = 1_500;

/** GET with a deadline: a node across a cut never answers. */
export async function tryGet<T = any>(admin: ApiClient, path: string): Promise<T | undefined> {
  const response = await Promise.race([
    admin.get<T>(path),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), CALL_TIMEOUT_MS).unref()),
  ]).catch(() => undefined);
  return response?.status === 200 ? response.body : undefined;
}

/** The node ids `via` lists in GET /nodes, sorted; undefined if it did not answer. */
export async function nodesSeen(mesh: LabMesh, via: NodeId): Promise<string[] | undefined> {
  const body = await tryGet<{ items: { id: string }[] }>(mesh.node(via).admin, "/nodes");
  return body?.items.map((item) => item.id).sort();
}

export interface RestreamView {
  readonly state: string;
  readonly node: string | null;
}

export async function restreamSeen(
  mesh: LabMesh,
  via: NodeId,
  id: string,
): Promise<RestreamView | undefined> {
  return tryGet<RestreamView>(mesh.node(via).admin, `/restreams/${id}`);
}

/**
 * When `observer` declared `gone` disconnected after `since` (its Moleculer log line's own time),
 * in ms from `since`; undefined if it has not (yet).
 */
export function disconnectSeenAfter(
  mesh: LabMesh,
  observer: NodeId,
  gone: NodeId,
  since: number,
): number | undefined {
  for (const line of mesh.node(observer).process.output) {
    if (!line.includes(`Node '${gone}' disconnected`)) continue;
    const time = Date.parse((JSON.parse(line) as { time?: string }).time ?? "");
    if (time >= since) return time - since;
  }
  return undefined;
}

/** A node's log line: its own time and the fields a timeline shows. */
interface LogLine {
  readonly time?: string;
  readonly msg?: string;
  readonly [field: string]: unknown;
}

/** Fields of a log line worth a place in a timeline (ids shortened to 8 characters). */
const TIMELINE_FIELDS = [
  "event",
  "restreamId",
  "channelId",
  "nodeId",
  "state",
  "epoch",
  "error",
  "err",
  "ms",
];

/**
 * The nodes' log lines whose message matches `pattern`, from `since` on, in time order, each as
 * "+<ms> <node> <message> <fields>": where a failover spends its time.
 */
export function timeline(
  mesh: LabMesh,
  nodes: readonly NodeId[],
  since: number,
  pattern: RegExp,
  extra: readonly [number, string][] = [],
): string[] {
  const lines = extra.map(([at, text]) => ({ at, text: `+${at - since} ms ${text}` }));
  for (const id of nodes) {
    for (const raw of mesh.node(id).process.output) {
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        continue;
      }
      const at = Date.parse(line.time ?? "");
      if (!(at >= since) || !pattern.test(line.msg ?? "")) continue;
      const fields = TIMELINE_FIELDS.filter((field) => line[field] !== undefined && line[field] !== null).map(
        (field) => `${field}=${short(line[field])}`,
      );
      lines.push({ at, text: `+${at - since} ms ${id} ${line.msg} ${fields.join(" ")}`.trimEnd() });
    }
  }
  return lines.sort((a, b) => a.at - b.at).map((line) => line.text);
}

/** The time of the first line of `node` after `since` whose message matches `pattern`. */
export function loggedAt(mesh: LabMesh, node: NodeId, since: number, pattern: RegExp): number | undefined {
  const [first] = timeline(mesh, [node], since, pattern);
  return first === undefined ? undefined : since + Number(first.slice(1, first.indexOf(" ")));
}

function short(value: unknown): string {
  if (typeof value === "string") return /^[0-9a-f-]{20,}$/i.test(value) ? value.slice(0, 8) : value;
  const { code, message } = (value ?? {}) as { code?: unknown; message?: unknown };
  if (code !== undefined) return String(code);
  if (typeof message === "string") return JSON.stringify(message.slice(0, 100));
  return JSON.stringify(value);
}

/** Polls every 100 ms until `probe` holds; resolves with the milliseconds it took from `since`. */
export async function msUntil(
  what: string,
  probe: () => Promise<boolean> | boolean,
  since: number,
  timeoutMs = 30_000,
): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(probe)
        .catch(() => false)
    )
      return Date.now() - since;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Fields the nodes compute at run time, not stored by a user: left out of the records compared. */
const RUNTIME_FIELDS = new Set([
  "state",
  "node",
  "stats",
  "error",
  "live",
  "input",
  "ingest",
  "codecs",
  "holding",
  "warnings",
  "usedBy",
  "lastSeenAt",
]);

function stripRuntime(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripRuntime);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !RUNTIME_FIELDS.has(key))
      .map(([key, inner]) => [key, stripRuntime(inner)]),
  );
}

/** The users, channels (each with its restreams) and destinations, without run-time fields. */
export async function records(admin: ApiClient): Promise<unknown> {
  const list = async (path: string): Promise<{ id: string }[]> => {
    const response = await admin.get<{ items: { id: string }[] }>(path);
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.text}`);
    return response.body.items;
  };
  const channels = await list("/channels");
  const restreams = await Promise.all(channels.map((channel) => list(`/channels/${channel.id}/restreams`)));
  return stripRuntime({
    users: await list("/users"),
    channels,
    destinations: await list("/destinations"),
    restreams,
  });
}
