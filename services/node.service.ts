// streamwell.node: runs on every node. It describes its node (and will host its actors, called
// with { nodeID }); `list` asks every node in the mesh for its description.
import { availableParallelism, loadavg } from "node:os";
import type { Context } from "moleculer";
import moleculer from "moleculer";
import type { Runtime } from "../node/runtime.js";
import { action } from "./action.js";
import { defineService } from "./define.js";
import * as schemas from "./schemas/resources.js";

const SERVICE = "streamwell.node";

export interface NodeInfo {
  readonly id: string;
  readonly address: string;
  readonly uptimeSeconds: number;
  readonly ingests: number;
  readonly actors: { readonly restream: number; readonly playback: number; readonly chain: number };
  readonly maxRestreams: number;
  /** One-minute load average per core. */
  readonly load: number;
}

export function nodeService({ config, store, startedAt }: Runtime) {
  return defineService(SERVICE, {
    info: action({
      access: "user",
      input: schemas.node.info,
      summary: "This node: address, uptime, ingests, actors, capacity, load",
      async handler(): Promise<NodeInfo> {
        return {
          id: config.nodeId,
          address: config.publicHost,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          ingests: 0,
          actors: { restream: 0, playback: 0, chain: 0 },
          maxRestreams: config.maxRestreams,
          load: Number(((loadavg()[0] ?? 0) / availableParallelism()).toFixed(2)),
        };
      },
    }),
    list: action({
      access: "user",
      input: schemas.node.list,
      summary: "Every node of the mesh (one on a single node)",
      async handler(ctx) {
        const services = (ctx as Context).broker.registry.getServiceList({
          onlyAvailable: true,
        }) as unknown as {
          name: string;
          nodeID: string;
        }[];
        const nodeIDs = services
          .filter((service) => service.name === SERVICE)
          .map((service) => service.nodeID);
        const items = await Promise.all(
          nodeIDs.map((nodeID) => ctx.call<NodeInfo, object>(`${SERVICE}.info`, {}, { nodeID })),
        );
        return { items: items.sort((a, b) => a.id.localeCompare(b.id)) };
      },
    }),
    ready: action({
      access: "public",
      input: schemas.node.ready,
      summary: "Readiness: the store answers",
      async handler() {
        try {
          await store.ping();
        } catch (cause) {
          throw new moleculer.Errors.MoleculerError("store is not ready", 503, "not_ready", {
            cause: String(cause),
          });
        }
        return { ready: true, checks: { store: "ok" } };
      },
    }),
  });
}
