// Builds the node's Moleculer broker with every Streamwell service: the composition root, where
// each service gets only the parts of the runtime it uses. Services reach each other only through
// this broker (calls and events), so any of them can move to another node.
import moleculer, { type ServiceSchema } from "moleculer";
import type { PublicEndpoints } from "../node/catalog/views.js";
import { LocalNode } from "../node/local/local-node.js";
import type { BoundPorts } from "../node/media-node.js";
import { MeshProof } from "../node/mesh/mesh-proof.js";
import { natsConnectOptions, natsEndpointOf } from "../node/mesh/nats-endpoint.js";
import type { Runtime } from "../node/runtime.js";
import { apiService } from "./api/api.service.js";
import { channelsService } from "./channels.service.js";
import { destinationsService } from "./destinations.service.js";
import { featuresService } from "./features.service.js";
import { PreciseDiscoverer } from "./heartbeats.js";
import { INTERNAL_ACTIONS } from "./mesh-calls.js";
import { meshGate, meshSigner } from "./mesh-gate.js";
import type { NodeMetadata } from "./mesh-view.js";
import { streamwellMiddleware } from "./middleware.js";
import { nodeService } from "./node.service.js";
import { restreamsService } from "./restreams.service.js";
import { schedulerService } from "./scheduler.service.js";
import { tokensService } from "./tokens.service.js";
import { usersService } from "./users.service.js";
import { webhooksService } from "./webhooks.service.js";

/** The host and RTMP port in the URLs users see: the configured port until the media plane binds one. */
function publicEndpoints(config: Runtime["config"]) {
  let rtmpPort = config.rtmpPort;
  const endpoints: PublicEndpoints = {
    host: config.publicHost,
    get rtmpPort() {
      return rtmpPort;
    },
  };
  const listening = (ports: BoundPorts) => {
    rtmpPort = ports.rtmp;
  };
  return { endpoints, listening };
}

/** Every domain service, each built from the narrow part of the runtime it uses. */
export function domainServices(runtime: Runtime): ServiceSchema[] {
  const { config, log, catalog, store, history, slates } = runtime;
  const { endpoints, listening } = publicEndpoints(config);
  return [
    usersService({ catalog, log, config }),
    tokensService({ catalog }),
    featuresService({ catalog, history }),
    destinationsService({ catalog }),
    channelsService({ catalog, history, endpoints, slates }),
    restreamsService({ catalog, history, endpoints }),
    nodeService({
      nodeId: config.nodeId,
      localNode: (parent) => new LocalNode(runtime, parent),
      listening,
      catalog,
    }),
    schedulerService({ catalog, store, log, history }),
    webhooksService({ catalog, log, retryBaseMs: config.webhookRetryBaseMs }),
  ];
}

export interface BrokerOptions {
  /** Whether this broker runs the domain services (default true); a gateway-only broker does not. */
  readonly domain?: boolean;
  readonly api?: boolean;
  /** A Moleculer transporter (tests use "Fake"); default: NATS when configured, else none (one node). */
  readonly transporter?: string;
  readonly version: string;
}

export const REQUEST_TIMEOUT_MS = 10_000;

/** Moleculer's NATS transporter with the node's endpoint; credentials go as options, never in a URL. */
function natsTransporter(config: Runtime["config"]): moleculer.Transporter | null {
  const endpoint = natsEndpointOf(config);
  if (!endpoint) return null;
  return new moleculer.Transporters.NATS(natsConnectOptions(endpoint, `streamwell-${config.nodeId}-transit`));
}

/** The proof of the mesh secret this node signs and checks with; null when it has none. */
function meshProof({ config, log }: Runtime): MeshProof | null {
  if (!config.meshSecret) {
    if (config.natsUrl)
      log.warn(
        { event: "mesh_insecure" },
        "STREAMWELL_MESH_INSECURE=true: no mesh secret, so anyone who can reach this NATS can command this node",
      );
    return null;
  }
  const alsoAccepted = config.meshSecretAccept ? [config.meshSecretAccept] : [];
  return new MeshProof({ secret: config.meshSecret, alsoAccepted });
}

export function createBroker(runtime: Runtime, options: BrokerOptions): moleculer.ServiceBroker {
  const { config, log } = runtime;
  const proof = meshProof(runtime);
  const broker = new moleculer.ServiceBroker({
    nodeID: config.nodeId,
    namespace: config.namespace,
    metadata: {
      publicHost: config.publicHost,
      maxRestreams: config.maxRestreams,
      srtPorts: config.srtPorts,
    } satisfies NodeMetadata,
    transporter: options.transporter ?? natsTransporter(config),
    // Heartbeats every 500 ms, a peer silent for 2.5 s is gone (./heartbeats.ts; docs/decisions.md).
    registry: { discoverer: new PreciseDiscoverer() },
    // A call whose answer was lost (a node killed, NATS restarting) fails instead of hanging the
    // request that made it; no Streamwell action takes this long when its node is up.
    requestTimeout: REQUEST_TIMEOUT_MS,
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
    middlewares: [
      ...(proof ? [meshSigner(proof)] : []),
      meshGate({ proof, meshActions: INTERNAL_ACTIONS, log: log.child({ module: "mesh-gate" }) }),
      streamwellMiddleware(runtime.catalog, log),
    ],
  });
  if (options.domain ?? true) for (const service of domainServices(runtime)) broker.createService(service);
  if (options.api ?? true) broker.createService(apiService({ config, log }, options.version));
  return broker;
}
