// The gateway serves the built UI (dist/web) next to the API: files with their content types and
// cache rules, index.html for client routes, and never a file in place of the API or the probes.
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultWebRoot } from "../../services/api/web-app.js";
import { type NodeProcess, removeDataDir, startNode, tempDataDir } from "../support/node-process.js";

let node: NodeProcess;
const dataDir = tempDataDir();

beforeAll(async () => {
  node = await startNode({ dataDir });
});

afterAll(async () => {
  await node?.stop();
  removeDataDir(dataDir);
});

const get = (path: string) => fetch(`${node.baseUrl}${path}`);

async function expectNotFoundJson(path: string): Promise<void> {
  const response = await get(path);
  expect(response.status, path).toBe(404);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found");
}

describe("web UI files", () => {
  it("/ and client routes answer index.html, not cached, with a same-origin content policy", async () => {
    for (const path of ["/", "/channels", "/channels/ch_abc", "/destinations", "/account/"]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await response.text()).toContain('<div id="root">');
    }
  });

  it("built assets answer with their content types, cached for good (names carry a content hash)", async () => {
    const assets = readdirSync(`${defaultWebRoot()}/assets`);
    const script = assets.find((name) => name.endsWith(".js"));
    const style = assets.find((name) => name.endsWith(".css"));
    for (const [name, type] of [
      [script, "text/javascript; charset=utf-8"],
      [style, "text/css; charset=utf-8"],
    ] as const) {
      expect(name).toBeDefined();
      const response = await get(`/assets/${name}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(type);
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(Number(response.headers.get("content-length"))).toBeGreaterThan(100);
    }
  });

  it("a missing file is 404, and nothing outside the build is reachable", async () => {
    await expectNotFoundJson("/assets/nope.js");
    await expectNotFoundJson("/favicon.ico");
    await expectNotFoundJson("/%2e%2e/package.json");
    await expectNotFoundJson("/..%2f..%2fpackage.json");
    await expectNotFoundJson("/assets/%2e%2e/%2e%2e/%2e%2e/package.json");
  });

  it("HEAD answers like GET on pages, assets and missing files: same status and headers, no body", async () => {
    const script = readdirSync(`${defaultWebRoot()}/assets`).find((name) => name.endsWith(".js"));
    const compared = ["content-type", "content-length", "cache-control", "content-security-policy"];
    for (const path of ["/", "/channels", "/users", "/webhooks/", `/assets/${script}`, "/assets/nope.js"]) {
      const [got, head] = await Promise.all([get(path), fetch(`${node.baseUrl}${path}`, { method: "HEAD" })]);
      expect(head.status, path).toBe(got.status);
      for (const name of compared)
        expect(head.headers.get(name), `${path} ${name}`).toBe(got.headers.get(name));
      expect(await head.text(), path).toBe("");
      expect((await got.text()).length, path).toBeGreaterThan(0);
    }
  });

  it("never shadows the API, /metrics or the probes", async () => {
    await expectNotFoundJson("/api");
    await expectNotFoundJson("/api/v1/nope");
    await expectNotFoundJson("/api/v2/channels");
    await expectNotFoundJson("/healthz/x");
    expect((await get("/api/v1/channels")).status).toBe(401);
    expect((await get("/api/v1/openapi.json")).headers.get("content-type")).toMatch(/^application\/json/);
    expect(await (await get("/healthz")).json()).toEqual({ status: "ok" });
    expect((await get("/metrics")).headers.get("content-type")).toMatch(/^text\/plain/);
    expect((await get("/readyz")).headers.get("content-type")).toMatch(/^application\/json/);
  });
});
