// The admin UI's built files (vite build -> dist/web, made by scripts/setup.mjs), served by the
// gateway for the GETs no API route claims. A client route (/channels/ch_x: no file extension)
// gets index.html, so reloads and shared links work. Paths of the API and the probes are never
// answered from here, whatever the build holds. HEAD answers like GET: the same status and
// headers, no body (Node drops a HEAD answer's body; the file is not even read).
import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { sendError } from "./errors.js";

const RESERVED = ["/api", "/metrics", "/healthz", "/readyz"];

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

// The UI loads only its own scripts and styles and talks only to this origin.
const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "Content-Security-Policy":
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/** dist/web of the package: the same from the built (dist/services/api) and the source tree. */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, "dist", "web");
}

function isReserved(path: string): boolean {
  return RESERVED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** The file under root a URL path names, or undefined for anything odd (traversal, dotfiles). */
function fileOf(root: string, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const relative = normalize(decoded).replace(/^[/\\]+/, "");
  if (relative.split(/[/\\]/).some((part) => part.startsWith("."))) return undefined;
  const file = join(root, relative);
  return file.startsWith(root + sep) ? file : undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string): void {
  res.statusCode = 200;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  res.setHeader("Content-Type", CONTENT_TYPES[extname(file)] ?? "application/octet-stream");
  res.setHeader("Content-Length", statSync(file).size);
  res.setHeader("Cache-Control", cacheControl);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(file)
    .on("error", () => res.destroy())
    .pipe(res);
}

export function webApp(root: string = defaultWebRoot()) {
  const index = join(root, "index.html");
  return function serveWebApp(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (isReserved(path)) {
      sendError(res, { code: 404, message: "no such path" });
      return;
    }
    const file = fileOf(root, path);
    if (file && isFile(file)) {
      // Vite names built assets by content hash: they never change under the same name.
      const immutable = path.startsWith("/assets/");
      sendFile(req, res, file, immutable ? "public, max-age=31536000, immutable" : "no-cache");
      return;
    }
    if (extname(path) !== "") {
      sendError(res, { code: 404, message: "no such file" });
      return;
    }
    if (!isFile(index)) {
      sendError(res, {
        code: 503,
        message: "the web UI is not built: run `node scripts/setup.mjs build` (npm start does it)",
      });
      return;
    }
    sendFile(req, res, index, "no-cache");
  };
}
