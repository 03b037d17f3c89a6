// streamwell.tokens: API tokens for automation. Any user makes, lists and deletes their own; a
// token acts as its user over REST (Authorization: Bearer) and in ctx.meta.token, until it is
// deleted, expires, or its user is deleted.
import type { Catalog } from "../node/catalog/catalog.js";
import { apiTokenView } from "../node/catalog/views.js";
import { NotFoundError } from "../node/defs/errors.js";
import { action, callerOf, created, noContent } from "./action.js";
import { defineService } from "./define.js";
import { EVENTS } from "./events.js";
import * as schemas from "./schemas/resources.js";

export function tokensService({ catalog }: { readonly catalog: Catalog }) {
  return defineService("streamwell.tokens", {
    list: action({
      access: "user",
      input: schemas.tokens.list,
      summary: "Your API tokens (never the token itself)",
      async handler(ctx) {
        return { items: (await catalog.apiTokens.list(callerOf(ctx).id)).map(apiTokenView) };
      },
    }),
    create: action({
      access: "user",
      input: schemas.tokens.create,
      summary: "Make an API token that acts as you; the answer is the only time the token is shown",
      async handler(ctx) {
        const { record, token } = await catalog.apiTokens.create(callerOf(ctx).id, ctx.params);
        return created(ctx, `/tokens/${record.id}`, { ...apiTokenView(record), token });
      },
    }),
    remove: action({
      access: "user",
      input: schemas.tokens.remove,
      summary: "Delete one of your API tokens: it stops working at once",
      async handler(ctx) {
        const mine = await catalog.apiTokens.owned(callerOf(ctx).id, ctx.params.id);
        const hash = mine && (await catalog.apiTokens.delete(mine.id));
        if (!hash) throw new NotFoundError(`token ${ctx.params.id} not found`);
        void ctx.broadcast(EVENTS.credentialsRevoked, { tokenHashes: [hash] });
        return noContent(ctx);
      },
    }),
  });
}
