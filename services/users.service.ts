// streamwell.users: login, logout, who am I, and user administration.

import { DEFAULT_LIMITS, LoginThrottle } from "../node/auth/login-throttle.js";
import { canChangeUser } from "../node/auth/policy.js";
import type { Catalog } from "../node/catalog/catalog.js";
import type { UserRecord } from "../node/catalog/records.js";
import { USERNAME_PATTERN } from "../node/catalog/users.js";
import { userView } from "../node/catalog/views.js";
import type { Config } from "../node/config/schema.js";
import {
  ForbiddenError,
  TooManyRequestsError,
  UnauthenticatedError,
  ValidationFailedError,
} from "../node/defs/errors.js";
import type { Logger } from "../node/kit/log.js";
import { type ActionContext, action, callerOf, created, noContent } from "./action.js";
import { defineService } from "./define.js";
import { EVENTS } from "./events.js";
import * as schemas from "./schemas/resources.js";
import { clearedSessionCookie, sessionCookie } from "./session-cookie.js";

const SWEEP_EVERY_MS = 3_600_000;

export interface UsersDeps {
  readonly catalog: Catalog;
  readonly log: Logger;
  /** The login throttle's window and the session cookie's lifetime. */
  readonly config: Pick<Config, "loginWindowSeconds" | "sessionTtlHours">;
}

export function usersService({ catalog, log, config }: UsersDeps) {
  const throttle = new LoginThrottle({ ...DEFAULT_LIMITS, windowMs: config.loginWindowSeconds * 1000 });

  /**
   * Checks a password under the login throttle: 429 while the name or the address is throttled,
   * one log line per failure (never the password; the name only if it is a possible one).
   */
  async function checkPassword(ctx: ActionContext<unknown>, username: string, password: string) {
    const address = ctx.meta.clientAddress ?? `moleculer:${ctx.nodeID ?? "local"}`;
    const attempt = throttle.begin(username, address);
    if ("retryAfterSeconds" in attempt) {
      const seconds = attempt.retryAfterSeconds;
      throw new TooManyRequestsError(`too many failed logins: try again in ${seconds} s`, seconds);
    }
    const user = await catalog.users.authenticate(username, password).catch((error: unknown) => {
      attempt.succeeded(); // not a wrong password: a store failure must not count against the user
      throw error;
    });
    if (user) {
      attempt.succeeded();
      return user;
    }
    attempt.failed();
    const name = USERNAME_PATTERN.test(username) ? username : undefined;
    log.warn({ event: "login_failed", username: name, address }, "failed login");
    return undefined;
  }

  /** Tells every node which credentials ended, so that what they hold open closes too. */
  function revoked(ctx: ActionContext<unknown>, tokenHashes: string[]): void {
    if (tokenHashes.length > 0) void ctx.broadcast(EVENTS.credentialsRevoked, { tokenHashes });
  }

  let sweeper: NodeJS.Timeout | undefined;
  /** Expired sessions and API tokens are refused anyway; sweeping keeps the store from growing. */
  async function sweep(): Promise<void> {
    try {
      const swept = (await catalog.sessions.sweep()) + (await catalog.apiTokens.sweep());
      if (swept > 0)
        log.info({ event: "credentials_swept", count: swept }, "expired sessions and tokens deleted");
    } catch (error) {
      log.warn({ err: error }, "sweeping expired sessions failed; next try in an hour");
    }
  }

  /** A user as admins see them: with the quotas that apply (theirs, or the defaults). */
  const adminView = (user: UserRecord) => ({ ...userView(user), quotas: catalog.quotas.limitsOf(user) });

  const service = defineService("streamwell.users", {
    login: action({
      access: "public",
      input: schemas.auth.login,
      summary: "Log in: returns a bearer token and sets the session cookie",
      async handler(ctx) {
        const user = await checkPassword(ctx, ctx.params.username, ctx.params.password);
        if (!user) throw new UnauthenticatedError("wrong username or password");
        const session = await catalog.sessions.issue(user.id);
        ctx.meta.$responseHeaders = {
          "Set-Cookie": sessionCookie(session.token, config.sessionTtlHours * 3600),
        };
        return { token: session.token, expiresAt: session.expiresAt, user: userView(user) };
      },
    }),
    logout: action({
      access: "user",
      input: schemas.auth.logout,
      summary: "Log out: revokes the token and clears the cookie",
      async handler(ctx) {
        if (ctx.meta.token) revoked(ctx, [await catalog.sessions.revoke(ctx.meta.token)]);
        ctx.meta.$responseHeaders = { "Set-Cookie": clearedSessionCookie() };
        return noContent(ctx);
      },
    }),
    me: action({
      access: "user",
      input: schemas.auth.me,
      summary: "The caller: id, username, role",
      async handler(ctx) {
        return callerOf(ctx);
      },
    }),
    list: action({
      access: "admin",
      input: schemas.users.list,
      summary: "List users",
      async handler() {
        return { items: (await catalog.users.list()).map(adminView) };
      },
    }),
    create: action({
      access: "admin",
      input: schemas.users.create,
      summary: "Create a user",
      async handler(ctx) {
        const user = await catalog.users.create(ctx.params);
        return created(ctx, `/users/${user.id}`, adminView(user));
      },
    }),
    get: action({
      access: "admin",
      input: schemas.users.get,
      summary: "Get a user",
      async handler(ctx) {
        return adminView(await catalog.users.get(ctx.params.id));
      },
    }),
    update: action({
      access: "user",
      input: schemas.users.update,
      summary:
        "Change a password (admin, or self with currentPassword), a role or quotas (admin); a new password ends the user's other sessions",
      async handler(ctx) {
        const { id, currentPassword, ...change } = ctx.params;
        const caller = callerOf(ctx);
        if (!canChangeUser(caller, id, change)) {
          throw new ForbiddenError("users may change only their own password");
        }
        if (change.password !== undefined && caller.id === id) {
          // A stolen session must not be enough to take the account over.
          const problem =
            currentPassword === undefined
              ? "is required to change your own password"
              : (await checkPassword(ctx, caller.username, currentPassword))
                ? undefined
                : "is wrong";
          if (problem) throw new ValidationFailedError("the current password", { currentPassword: problem });
        }
        const user = await catalog.users.update(id, change);
        if (change.password !== undefined)
          revoked(ctx, await catalog.sessions.revokeUser(id, ctx.meta.token));
        return adminView(user);
      },
    }),
    remove: action({
      access: "admin",
      input: schemas.users.remove,
      summary: "Delete a user who owns no channels",
      async handler(ctx) {
        revoked(ctx, await catalog.deleteUser(ctx.params.id));
        return noContent(ctx);
      },
    }),
  });
  return {
    ...service,
    started() {
      sweeper = setInterval(() => void sweep(), SWEEP_EVERY_MS);
      sweeper.unref();
      void sweep();
    },
    stopped() {
      clearInterval(sweeper);
    },
  };
}
