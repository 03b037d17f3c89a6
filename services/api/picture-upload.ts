// Routes whose body is a picture, not JSON (PUT /channels/:id/slate): the gateway reads the bytes
// itself, at most SLATE_PICTURE_MAX_BYTES (a larger body is 422, as any other picture that is not
// one), and calls the route's action with them in base64. The action checks what the bytes are.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceBroker } from "moleculer";
import { SLATE_PICTURE_MAX_BYTES } from "../../node/slate/slate-picture.js";
import type { Meta } from "../action.js";
import { sendError } from "./errors.js";
import type { RestRoute } from "./routes.js";

export const TOO_LARGE = {
  code: 422,
  type: "validation_failed",
  message: "not a slate picture: it is larger than 2 MiB",
  data: { fields: { body: "at most 2 MiB" } },
} as const;

const patternOf = (route: RestRoute) => new RegExp(`^/api/v1${route.path.replace(/:[A-Za-z]+/g, "[^/]+")}$`);

/** Whether the request is a picture upload: its body is not JSON and may be up to 2 MiB. */
export function isPictureUpload(req: IncomingMessage, routes: readonly RestRoute[]): boolean {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  return routes.some((route) => route.image && route.method === req.method && patternOf(route).test(path));
}

/** The body, or null once it passed the limit (the rest is not read: the connection closes). */
async function readPicture(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > SLATE_PICTURE_MAX_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

type PictureAlias = (
  req: IncomingMessage & { $params?: Record<string, string> },
  res: ServerResponse,
) => Promise<void>;

/** The gateway aliases of the picture routes: read the body, call the action as the caller. */
export function pictureAliases(
  routes: readonly RestRoute[],
  broker: () => ServiceBroker,
  meta: (req: IncomingMessage) => Meta,
): Record<string, PictureAlias> {
  const aliases: Record<string, PictureAlias> = {};
  for (const route of routes.filter((candidate) => candidate.image)) {
    aliases[`${route.method} ${route.path}`] = async (req, res) => {
      const image = await readPicture(req);
      if (image === null) {
        res.setHeader("Connection", "close");
        sendError(res, TOO_LARGE);
        return;
      }
      const callMeta = meta(req);
      try {
        await broker().call(
          route.action,
          { ...req.$params, image: image.toString("base64") },
          { meta: callMeta },
        );
        res.statusCode = callMeta.$statusCode ?? 204;
        res.end();
      } catch (error) {
        sendError(res, error as Error);
      }
    };
  }
  return aliases;
}
