// Runtime facts, asked of every node at the moment they are needed: which channels are live
// where, and (for the leader's metrics) what each actor reports. The API's restream views read
// actor reports from a cache instead (mesh-reports.ts). These are internal node actions, so they
// go through the broker, not the caller's context.
import type { ServiceBroker } from "moleculer";
import type { z } from "zod";
import { feedsHub } from "../node/defs/ingest-input.js";
import type { ActorReport } from "../node/defs/restream-status.js";
import type { IngestInfo } from "./events.js";
import { type MeshCall, meshCall, NODE_CALLS } from "./mesh-calls.js";

const NODE_SERVICE = "streamwell.node";

/** The ids of the nodes where a service is available, sorted. */
export function nodesRunning(broker: ServiceBroker, serviceName: string): string[] {
  const services = broker.registry.getServiceList({ onlyAvailable: true }) as unknown as {
    name: string;
    nodeID: string;
  }[];
  return services
    .filter((service) => service.name === serviceName)
    .map((service) => service.nodeID)
    .sort();
}

/** The ids of the Streamwell nodes (those running streamwell.node) that answer now, sorted. */
export function streamwellNodes(broker: ServiceBroker): string[] {
  return nodesRunning(broker, NODE_SERVICE);
}

/** What every node tells the others about itself (Moleculer node metadata; see broker.ts). */
export interface NodeMetadata {
  readonly publicHost: string;
  readonly maxRestreams: number;
  readonly srtPorts: { readonly from: number; readonly to: number };
}

/** The Streamwell nodes in the mesh now, with what the scheduler needs to know of them. */
export function meshNodes(broker: ServiceBroker): (NodeMetadata & { readonly id: string })[] {
  const running = new Set(nodesRunning(broker, NODE_SERVICE));
  if (broker.getLocalService(NODE_SERVICE)) running.add(broker.nodeID);
  // registry.nodes is the NodeCatalog (typed `any` in moleculer's d.ts).
  const nodes: { id: string; metadata?: Partial<NodeMetadata> }[] = broker.registry.nodes.list({
    onlyAvailable: true,
    withServices: false,
  });
  return nodes.flatMap(({ id, metadata }) =>
    running.has(id) && metadata?.publicHost && metadata.srtPorts && metadata.maxRestreams !== undefined
      ? [
          {
            id,
            publicHost: metadata.publicHost,
            maxRestreams: metadata.maxRestreams,
            srtPorts: metadata.srtPorts,
          },
        ]
      : [],
  );
}

const SCHEDULER_SERVICE = "streamwell.scheduler";

/**
 * Whether this node leads scheduling: the lowest node id running the scheduler. A local
 * scheduler counts before Moleculer lists it (it does so only after its started()).
 */
export function isSchedulerLeader(broker: ServiceBroker): boolean {
  const ids = nodesRunning(broker, SCHEDULER_SERVICE);
  if (broker.getLocalService(SCHEDULER_SERVICE)) ids.push(broker.nodeID);
  return ids.sort()[0] === broker.nodeID;
}

/**
 * Every node's answer. A node that fails to answer (it is dying, or was cut off and not yet
 * declared gone) is left out, so one dead node does not fail every read of the mesh.
 */
async function askEveryNode<S extends z.ZodType, T>(
  broker: ServiceBroker,
  declared: MeshCall<S, T>,
  params: z.input<S>,
): Promise<T[]> {
  const answers = await Promise.allSettled(
    streamwellNodes(broker).map((nodeID) => meshCall(broker, declared, params, nodeID)),
  );
  return answers.flatMap((answer) => {
    if (answer.status === "fulfilled") return [answer.value];
    broker.logger.warn(`a node did not answer ${declared.name}: ${String(answer.reason)}`);
    return [];
  });
}

/** Every node's live ingests, oldest first (a channel may be live on two nodes: see liveIngests). */
export async function everyIngest(broker: ServiceBroker): Promise<IngestInfo[]> {
  const perNode = await askEveryNode(broker, NODE_CALLS.ingests, {});
  return perNode.flat().sort((a, b) => a.since.localeCompare(b.since));
}

/**
 * channelId -> its live ingest: the node holding its hub. Should two nodes both report one (a
 * publisher moved and its old session has not ended yet), the newest wins, as it does for the
 * nodes themselves; a node holding the other input of a channel with a backup only feeds the
 * hub (feedsHub), as in the scheduler's IngestMap.
 */
export async function liveIngests(broker: ServiceBroker): Promise<Map<string, IngestInfo>> {
  const hubs = new Map<string, IngestInfo>();
  for (const ingest of await everyIngest(broker)) {
    if (!feedsHub(hubs.get(ingest.channelId)?.inputs, ingest.inputs)) hubs.set(ingest.channelId, ingest);
  }
  return hubs;
}

/** restreamId -> what its actor reports, of every actor in the mesh (the leader's metrics). */
export async function actorReports(broker: ServiceBroker): Promise<Map<string, ActorReport>> {
  const perNode = await askEveryNode(broker, NODE_CALLS.actorReports, {});
  return new Map(perNode.flatMap(({ reports }) => Object.entries(reports)));
}

/** A restream's engine log from whichever node ran its actor last. */
export async function actorLogs(broker: ServiceBroker, restreamId: string) {
  const perNode = await askEveryNode(broker, NODE_CALLS.actorLogs, { restreamId });
  return perNode.find((logs) => logs.lines.length > 0) ?? { lines: [] };
}
