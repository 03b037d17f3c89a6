// How a Streamwell action is declared: who may call it (`access`), the zod schema of its params
// (`input`) and a handler that receives the parsed params and the authenticated caller.
// services/middleware.ts enforces both before the handler runs.
import type { Context } from "moleculer";
import type { z } from "zod";
import type { Access, Caller } from "../node/auth/policy.js";

/** What travels in ctx.meta: the caller's token in, response tweaks for the HTTP gateway out. */
export interface Meta {
  token?: string;
  /** Set by the middleware from `token`; anything a remote caller put here is overwritten. */
  caller?: Caller;
  /** The HTTP client's address, set by the gateway (login throttling); absent for Moleculer callers. */
  clientAddress?: string;
  $statusCode?: number;
  $responseHeaders?: Record<string, string>;
  $responseType?: string;
  $location?: string;
}

export type ActionContext<P> = Context<P, Meta>;

export interface StreamwellAction<S extends z.ZodType> {
  readonly access: Access;
  readonly input: S;
  readonly summary: string;
  handler(ctx: ActionContext<z.output<S>>): Promise<unknown>;
}

/**
 * What Moleculer carries for an action. The schema hides behind a function because Moleculer
 * deep-clones action definitions, which breaks zod schema objects but keeps functions.
 */
export interface DeclaredAction {
  readonly access: Access;
  readonly summary: string;
  readonly schema: () => z.ZodType;
  // biome-ignore lint/suspicious/noExplicitAny: Moleculer calls it with its own Context
  readonly handler: (ctx: any) => Promise<unknown>;
}

/** Declares an action, inferring the type of `handler`'s params from `input`. */
export function action<S extends z.ZodType>(definition: StreamwellAction<S>): DeclaredAction {
  const { access, summary, input, handler } = definition;
  return { access, summary, schema: () => input, handler };
}

/** The caller of a `user` or `admin` action (the middleware guarantees one). */
export function callerOf(ctx: ActionContext<unknown>): Caller {
  const caller = ctx.meta.caller;
  if (!caller) throw new Error("callerOf used in a public action");
  return caller;
}

/** Marks the answer as 201 Created at `location` (relative to /api/v1). */
export function created<T>(ctx: ActionContext<unknown>, location: string, body: T): T {
  ctx.meta.$statusCode = 201;
  ctx.meta.$location = `/api/v1${location}`;
  return body;
}

/** Marks the answer as 204 No Content. */
export function noContent(ctx: ActionContext<unknown>): null {
  ctx.meta.$statusCode = 204;
  return null;
}
