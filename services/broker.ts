// Builds the node's Moleculer broker with every Streamwell service. Services reach each other
// only through this broker (calls and events), so any of them can move to another node.
import moleculer from "moleculer";
import type { Runtime } from "../node/runtime.js";
import { apiService } from "./api/api.service.js";
import { channelsService } from "./channels.service.js";
import { destinationsService } from "./destinations.service.js";
import { featuresService } from "./features.service.js";
import { streamwellMiddleware } from "./middleware.js";
import { nodeService } from "./node.service.js";
import { restreamsService } from "./restreams.service.js";
import { schedulerService } from "./scheduler.service.js";
import { usersService } from "./users.service.js";

export const DOMAIN_SERVICES = [
  usersService,
  featuresService,
  destinationsService,
  channelsService,
  restreamsService,
  nodeService,
  schedulerService,
] as const;

export interface BrokerOptions {
  /** Which services this broker runs; all of them by default. */
  readonly services?: readonly (typeof DOMAIN_SERVICES)[number][];
  readonly api?: boolean;
  /** A Moleculer transporter (tests use "Fake"); none = a single node. */
  readonly transporter?: string;
  readonly version: string;
}

export function createBroker(runtime: Runtime, options: BrokerOptions): moleculer.ServiceBroker {
  const { config, log } = runtime;
  const broker = new moleculer.ServiceBroker({
    nodeID: config.nodeId,
    namespace: config.namespace,
    transporter: options.transporter ?? null,
    validator: false, // zod runs in streamwellMiddleware, after authentication
    metrics: false,
    tracing: false,
    logger: {
      type: "Pino",
      options: {
        level: config.logLevel === "silent" ? "fatal" : config.logLevel,
        createLogger: (level: string, bindings: { mod?: string }) =>
          log.child({ module: bindings.mod }, { level }),
      },
    },
    middlewares: [streamwellMiddleware(runtime.catalog, log)],
  });
  for (const service of options.services ?? DOMAIN_SERVICES) broker.createService(service(runtime));
  if (options.api ?? true) broker.createService(apiService(runtime, options.version));
  return broker;
}
