// Builds a Moleculer service schema from Streamwell actions.
import type { ServiceSchema } from "moleculer";
import type { DeclaredAction } from "./action.js";
import type { ServedCall } from "./mesh-calls.js";

export function defineService(
  name: string,
  actions: Record<string, DeclaredAction | ServedCall>,
): ServiceSchema {
  return { name, actions };
}
