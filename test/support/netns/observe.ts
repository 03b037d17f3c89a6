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
