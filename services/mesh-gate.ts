// The mesh gate: which Moleculer packets from NATS this node believes. Every packet a node sends
// carries a proof of the mesh secret (node/mesh/mesh-proof.ts) in its payload's `mesh` field, and
// every packet that comes in is judged before Moleculer acts on it:
//   - a request for an action that mirrors REST (declared with an access level) passes: the
//     caller's token is checked by streamwellMiddleware, exactly as over HTTP;
//   - a request for a node-to-node action needs a proof; without one it is answered 403
//     `forbidden` and never reaches the action;
//   - a request for anything else (Moleculer's `$node.*`, the gateway's own actions) is answered
//     403 whoever asks: only the node itself calls those, and its own calls never cross NATS;
//   - events, node announcements (INFO, HEARTBEAT, DISCONNECT) and responses need a proof, or are
//     dropped: so a rogue cannot forge an ingest, evict a publisher, join the mesh as a node,
//     take the scheduler's lead, or answer a call in a node's place. A client that only calls
//     REST-mirror actions (examples/external-client.mjs) needs none of them.
// With no secret (a single node, or STREAMWELL_MESH_INSECURE) nothing is signed and only the
// local-only rule holds.
import type { Middleware, ServiceBroker } from "moleculer";
import { ForbiddenError } from "../node/defs/errors.js";
import { FoldedLog } from "../node/kit/folded-log.js";
import type { Logger } from "../node/kit/log.js";
import type { MeshProof, Signed, Verdict } from "../node/mesh/mesh-proof.js";
import { toServiceError } from "./errors.js";

/** Who may call an action from another process. */
export type Exposure = "open" | "mesh" | "local";

/** Packets any Moleculer client may send unproven: discovery and pings tell nothing and change nothing. */
const HARMLESS = new Set(["DISCOVER", "PING", "PONG"]);
/** Packets addressed to one node: their proof names it, so they cannot be replayed at another. */
const ADDRESSED = new Set(["REQ", "RES"]);
/**
 * Refusals are logged at most once per sender and window, with a count: a rogue on the NATS
 * decides how many it causes, and under which sender names (node/kit/folded-log.ts).
 */
export const REFUSAL_LOG = { windowMs: 10_000, maxKeys: 50 } as const;

interface Packet {
  readonly type: string;
  readonly target?: string | null;
  readonly payload: Record<string, unknown>;
}

/** The parts of Moleculer's transit and registry the gate uses (its d.ts leaves them out). */
interface Transit {
  sendResponse(nodeID: string, id: string, meta: unknown, data: unknown, error: Error): Promise<void>;
}
interface Registry {
  getActionEndpoints(name: string): { localEndpoints?: { action?: { access?: unknown } }[] } | undefined;
}

/** The transit hooks of a Moleculer 0.14 middleware, which its d.ts's Middleware type does not list. */
interface TransitHooks {
  created(broker: ServiceBroker): void;
  stopped?(): void;
  transitPublish?(next: (packet: Packet) => Promise<void>): (packet: Packet) => Promise<void>;
  transitMessageHandler?(
    next: (cmd: string, packet: Packet) => Promise<boolean>,
  ): (cmd: string, packet: Packet) => Promise<boolean>;
}

/** What a packet's proof covers: everything in it but the proof and what the transporter adds. */
function signedPart(
  broker: ServiceBroker,
  kind: string,
  payload: Record<string, unknown>,
  sender: string,
  target: string,
): Signed {
  const { mesh: _proof, ver: _ver, sender: _sender, ...body } = payload;
  return {
    namespace: broker.namespace,
    kind,
    sender,
    target: ADDRESSED.has(kind) ? target : "*",
    body: JSON.stringify(body),
  };
}

/** Signs every packet this broker sends with the mesh secret. */
export function meshSigner(proof: MeshProof): Middleware {
  let broker: ServiceBroker;
  const signer: TransitHooks = {
    created(created) {
      broker = created;
    },
    transitPublish(next) {
      return (packet) => {
        const part = signedPart(broker, packet.type, packet.payload, broker.nodeID, packet.target ?? "*");
        packet.payload.mesh = proof.sign(part);
        return next(packet);
      };
    },
  };
  return signer as unknown as Middleware;
}

export interface MeshGateOptions {
  /** null: no mesh secret; nothing is checked but the local-only rule. */
  readonly proof: MeshProof | null;
  /** The node-to-node actions (they need a proof). */
  readonly meshActions: ReadonlySet<string>;
  readonly log: Pick<Logger, "warn" | "debug">;
}

/** Judges every packet that comes in (see the top of this file). */
export function meshGate({ proof, meshActions, log }: MeshGateOptions): Middleware {
  let broker: ServiceBroker;
  const proofRefusals = new FoldedLog<{ sender: string; kind: string; verdict: Verdict }>(
    REFUSAL_LOG,
    (sample, count, others) =>
      log.warn(
        { event: "mesh_proof_refused", ...sample, count, ...(others && { others }) },
        "a packet failed the mesh secret's check (wrong STREAMWELL_MESH_SECRET, a clock off by more than 30 s, or a forgery): ignored",
      ),
  );
  const callRefusals = new FoldedLog<{ sender: unknown; action: string; why: string }>(
    REFUSAL_LOG,
    (sample, count, others) =>
      log.warn(
        { event: "mesh_call_refused", ...sample, count, ...(others && { others }) },
        "mesh call refused",
      ),
  );

  function exposure(actionName: string): Exposure {
    if (meshActions.has(actionName)) return "mesh";
    const endpoints = (broker.registry as unknown as Registry).getActionEndpoints(actionName);
    return typeof endpoints?.localEndpoints?.[0]?.action?.access === "string" ? "open" : "local";
  }

  function judge(kind: string, payload: Record<string, unknown>): Verdict {
    if (!proof) return "ok";
    const sender = String(payload.sender);
    const verdict = proof.verify(signedPart(broker, kind, payload, sender, broker.nodeID), payload.mesh);
    if (verdict !== "ok" && verdict !== "missing") proofRefusals.note(sender, { sender, kind, verdict });
    return verdict;
  }

  /** A refused request is answered at once, so the caller learns why instead of timing out. */
  function refuse(payload: Record<string, unknown>, action: string, why: string): Promise<boolean> {
    callRefusals.note(String(payload.sender), { sender: payload.sender, action, why });
    const error = toServiceError(new ForbiddenError(`${action} is not open to this caller`));
    const transit = broker.transit as unknown as Transit;
    return transit
      .sendResponse(String(payload.sender), String(payload.id), payload.meta ?? {}, null, error)
      .then(() => true);
  }

  const gate: TransitHooks = {
    created(created) {
      broker = created;
    },
    stopped() {
      proofRefusals.close();
      callRefusals.close();
    },
    transitMessageHandler(next) {
      return (cmd, packet) => {
        const payload = packet.payload ?? {};
        if (cmd === "REQ") {
          const action = String(payload.action);
          const exposed = exposure(action);
          if (exposed === "local") return refuse(payload, action, "local_only");
          if (exposed === "mesh") {
            const verdict = judge(cmd, payload);
            if (verdict !== "ok") return refuse(payload, action, verdict);
          }
          return next(cmd, packet);
        }
        if (HARMLESS.has(cmd) || judge(cmd, payload) === "ok") return next(cmd, packet);
        log.debug(
          { event: "mesh_packet_dropped", sender: payload.sender, kind: cmd },
          "unproven packet dropped",
        );
        return Promise.resolve(false);
      };
    },
  };
  return gate as unknown as Middleware;
}
