// The Streamwell action middleware. For every action declared with services/action.ts it
//   1. authenticates ctx.meta.token (HTTP gateway and other services alike),
//   2. checks the action's access level,
//   3. validates and parses params with the action's zod schema (replacing ctx.params),
//   4. translates node/ errors into Moleculer errors with HTTP status and public code.
// It stands in for Moleculer's validator so that authentication comes first: an anonymous
// caller gets 401 and learns nothing of the payload rules.
import type { ActionHandler, ActionSchema, Context, Middleware } from "moleculer";
import type { Caller } from "../node/auth/policy.js";
import { meetsAccess } from "../node/auth/policy.js";
import type { Catalog } from "../node/catalog/catalog.js";
import {
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationFailedError,
} from "../node/defs/errors.js";
import type { Logger } from "../node/kit/log.js";
import type { DeclaredAction, Meta } from "./action.js";
import { fieldsOf, toServiceError } from "./errors.js";

function isStreamwellAction(action: ActionSchema): action is ActionSchema & DeclaredAction {
  return typeof action.access === "string" && typeof action.schema === "function";
}

async function authenticate(catalog: Catalog, token: string | undefined): Promise<Caller | undefined> {
  if (!token) return undefined;
  const userId = await catalog.resolveToken(token);
  if (!userId) return undefined;
  const user = await catalog.users.get(userId).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
  return user && { id: user.id, username: user.username, role: user.role };
}

export function streamwellMiddleware(catalog: Catalog, log: Logger): Middleware {
  return {
    localAction(handler: ActionHandler, action: ActionSchema) {
      if (!isStreamwellAction(action)) return handler;
      const schema = action.schema();
      return async function streamwellAction(ctx: Context<unknown, Meta>) {
        try {
          ctx.meta.caller = await authenticate(catalog, ctx.meta.token);
          if (!meetsAccess(ctx.meta.caller, action.access)) {
            throw ctx.meta.caller
              ? new ForbiddenError("this needs an admin")
              : new UnauthenticatedError("log in first: a bearer token or session cookie is required");
          }
          const parsed = schema.safeParse(ctx.params ?? {});
          if (!parsed.success) throw new ValidationFailedError("invalid request", fieldsOf(parsed.error));
          ctx.params = parsed.data;
          return await handler(ctx);
        } catch (error) {
          const translated = toServiceError(error);
          const status = (translated as { code?: number }).code ?? 500;
          if (status === 500) log.error({ err: error, action: action.name }, "action failed");
          // A full disk or a store away: the operator's to fix, without a stack in the log.
          else if (status > 500) log.warn({ action: action.name, status }, translated.message);
          throw translated;
        }
      };
    },
  };
}
