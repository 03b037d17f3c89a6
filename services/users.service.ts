// streamwell.users: login, logout, who am I, and user administration.
import { canChangeUser } from "../node/auth/policy.js";
import { userView } from "../node/catalog/views.js";
import { ForbiddenError, UnauthenticatedError } from "../node/defs/errors.js";
import type { Runtime } from "../node/runtime.js";
import { action, callerOf, created, noContent } from "./action.js";
import { defineService } from "./define.js";
import * as schemas from "./schemas/resources.js";
import { clearedSessionCookie, sessionCookie } from "./session-cookie.js";

export function usersService({ catalog, config }: Runtime) {
  return defineService("streamwell.users", {
    login: action({
      access: "public",
      input: schemas.auth.login,
      summary: "Log in: returns a bearer token and sets the session cookie",
      async handler(ctx) {
        const user = await catalog.users.authenticate(ctx.params.username, ctx.params.password);
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
        if (ctx.meta.token) await catalog.sessions.revoke(ctx.meta.token);
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
        return { items: (await catalog.users.list()).map(userView) };
      },
    }),
    create: action({
      access: "admin",
      input: schemas.users.create,
      summary: "Create a user",
      async handler(ctx) {
        const user = await catalog.users.create(ctx.params);
        return created(ctx, `/users/${user.id}`, userView(user));
      },
    }),
    get: action({
      access: "admin",
      input: schemas.users.get,
      summary: "Get a user",
      async handler(ctx) {
        return userView(await catalog.users.get(ctx.params.id));
      },
    }),
    update: action({
      access: "user",
      input: schemas.users.update,
      summary: "Change a password (admin or self) or a role (admin)",
      async handler(ctx) {
        const { id, ...change } = ctx.params;
        if (!canChangeUser(callerOf(ctx), id, change)) {
          throw new ForbiddenError("users may change only their own password");
        }
        const user = await catalog.users.update(id, change);
        if (change.password !== undefined) await catalog.sessions.revokeUser(id, ctx.meta.token);
        return userView(user);
      },
    }),
    remove: action({
      access: "admin",
      input: schemas.users.remove,
      summary: "Delete a user who owns no channels",
      async handler(ctx) {
        await catalog.deleteUser(ctx.params.id);
        return noContent(ctx);
      },
    }),
  });
}
