// Which node runs each wanted restream actor. A push runs on the node that holds its channel's
// ingest while that node has room (`maxRestreams`, 0 = no limit); past it, where it runs now if
// that node has room, else on the least-loaded node, which a chain link from the ingest node
// feeds. Restreams already on their ingest node keep their seats, so adding a restream never
// moves another one. A node being drained takes nothing: its restreams go to the least-loaded
// other node, fed by a chain link from the ingest (unless every node drains: then they stay).
// Pure: the scheduler gives it the facts.

export interface MeshNode {
  readonly id: string;
  /** Restream actors it takes; 0 = no limit. */
  readonly maxRestreams: number;
  /** An admin drains it (POST /nodes/:id/drain): it takes no restream. */
  readonly draining?: boolean;
}

export interface PlacementRequest {
  readonly restreamId: string;
  readonly channelId: string;
  /** The node holding the channel's ingest. */
  readonly ingestNodeId: string;
  /** Where it runs now, if anywhere. */
  readonly currentNodeId: string | undefined;
}

/** restreamId -> node id. Requests come in a stable order (creation), so results are too. */
export function chooseNodes(
  requests: readonly PlacementRequest[],
  nodes: readonly MeshNode[],
): Map<string, string> {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const load = new Map(nodes.map((node) => [node.id, 0]));
  const hasRoom = (nodeId: string): boolean => {
    const node = byId.get(nodeId);
    if (node === undefined || node.draining) return false;
    return node.maxRestreams === 0 || (load.get(nodeId) ?? 0) < node.maxRestreams;
  };
  const chosen = new Map<string, string>();
  const take = (request: PlacementRequest, nodeId: string) => {
    chosen.set(request.restreamId, nodeId);
    load.set(nodeId, (load.get(nodeId) ?? 0) + 1);
  };
  const rest: PlacementRequest[] = [];
  for (const request of requests) {
    const seated = request.currentNodeId === request.ingestNodeId && hasRoom(request.ingestNodeId);
    if (seated) take(request, request.ingestNodeId);
    else rest.push(request);
  }
  for (const request of rest) {
    const current = request.currentNodeId;
    if (hasRoom(request.ingestNodeId)) take(request, request.ingestNodeId);
    else if (current !== undefined && hasRoom(current)) take(request, current);
    else take(request, leastLoaded(nodes, load, request.ingestNodeId));
  }
  return chosen;
}

/** The node with the lowest share of its capacity in use; the ingest node wins ties. */
function leastLoaded(
  nodes: readonly MeshNode[],
  load: ReadonlyMap<string, number>,
  ingestNodeId: string,
): string {
  const share = (node: MeshNode) =>
    node.maxRestreams === 0 ? 0 : (load.get(node.id) ?? 0) / node.maxRestreams;
  let best: MeshNode | undefined;
  for (const node of nodes) {
    if (node.draining) continue;
    if (
      best === undefined ||
      share(node) < share(best) ||
      (share(node) === share(best) && node.id === ingestNodeId)
    )
      best = node;
  }
  return best?.id ?? ingestNodeId;
}
