// Runtime facts, asked of every node at the moment they are needed: which channels are live
// where, and what each actor reports. Nothing is cached, so an answer is never stale.
import type { Context, ServiceBroker } from "moleculer";
import type { ActorReport } from "../node/restreams/status.js";
import type { IngestInfo } from "./events.js";

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

async function askEveryNode<T>(ctx: Context, action: string): Promise<T[]> {
  return Promise.all(
    nodesRunning(ctx.broker, NODE_SERVICE).map((nodeID) =>
      ctx.call<T, object>(`${NODE_SERVICE}.${action}`, {}, { nodeID }),
    ),
  );
}

/** channelId -> its live ingest. */
export async function liveIngests(ctx: Context): Promise<Map<string, IngestInfo>> {
  const perNode = await askEveryNode<IngestInfo[]>(ctx, "ingests");
  return new Map(perNode.flat().map((ingest) => [ingest.channelId, ingest]));
}

/** A restream's engine log from whichever node ran its actor last. */
export async function actorLogs(ctx: Context, restreamId: string): Promise<{ lines: unknown[] }> {
  const perNode = await Promise.all(
    nodesRunning(ctx.broker, NODE_SERVICE).map((nodeID) =>
      ctx.call<{ lines: unknown[] }, object>(`${NODE_SERVICE}.actorLogs`, { restreamId }, { nodeID }),
    ),
  );
  return perNode.find((logs) => logs.lines.length > 0) ?? { lines: [] };
}

/** restreamId -> what its actor reports, for every actor in the mesh. */
export async function actorReports(ctx: Context): Promise<Map<string, ActorReport>> {
  const perNode = await askEveryNode<Record<string, ActorReport>>(ctx, "actorReports");
  return new Map(perNode.flatMap((reports) => Object.entries(reports)));
}
