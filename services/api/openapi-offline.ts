// The OpenAPI document without a running node, for the web UI's generated types
// (scripts/web-types.mjs). The services are only constructed, never started: their action
// declarations (schemas, summaries, access) need no store, broker or media plane.
import { loadConfig } from "../../node/config/load.js";
import type { Runtime } from "../../node/runtime.js";
import type { DeclaredAction } from "../action.js";
import { domainServices } from "../broker.js";
import { openApiDocument } from "./openapi.js";
import { API_ROUTES } from "./routes.js";

export function offlineOpenApiDocument(version: string) {
  // Construction reads only the config; the rest of the runtime is used once a service runs.
  const runtime = { config: loadConfig({}) } as Runtime;
  const actions = new Map<string, DeclaredAction>();
  for (const schema of domainServices(runtime)) {
    for (const [name, declared] of Object.entries(schema.actions ?? {}))
      actions.set(`${schema.name}.${name}`, declared as DeclaredAction);
  }
  return openApiDocument(API_ROUTES, (name) => actions.get(name), version);
}
