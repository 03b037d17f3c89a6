// Settings of the mesh's trust: how a node reaches NATS safely (credentials file, TLS) and the
// secret every node proves in each message (services/mesh-gate.ts). schema.ts spreads them in and
// checks that a node on NATS has a secret.
import { z } from "zod";
import { flag } from "./web-fields.js";

/** A file the node reads at start (a certificate, a key, NATS credentials). */
const filePath = z.string().min(1);

const MESH_SECRET_MESSAGE = "must be at least 32 characters (make one with: openssl rand -base64 32)";
const meshSecret = z.string().min(32, MESH_SECRET_MESSAGE).max(1024);

export const meshFields = {
  /** A NATS .creds file (a user JWT and its NKey seed), for servers run with decentralised auth. */
  natsCreds: filePath.optional(),
  /** The CA that signed the NATS servers' certificates (PEM); set: the connection must use TLS. */
  natsTlsCa: filePath.optional(),
  /** This node's client certificate and key (PEM), for servers that verify clients. */
  natsTlsCert: filePath.optional(),
  natsTlsKey: filePath.optional(),
  /** Proves node-to-node calls and events; required with NATS. */
  meshSecret: meshSecret.optional(),
  /** Also accepted, never used to sign: the other secret while a mesh rolls over to a new one. */
  meshSecretAccept: meshSecret.optional(),
  /** Run a NATS mesh without a secret: anyone on its NATS can command the nodes. Logged as a warning. */
  meshInsecure: flag.default(false),
};
