// Builds a Moleculer service schema from Streamwell actions.
import type { ServiceSchema } from "moleculer";
import type { DeclaredAction } from "./action.js";

export function defineService(name: string, actions: Record<string, DeclaredAction>): ServiceSchema {
  return { name, actions };
}
