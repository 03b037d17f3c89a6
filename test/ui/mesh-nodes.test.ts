// The UI on a two-node mesh (bench/support/mesh.ts: a NATS cluster, one node per server): the
// Nodes page lists both, and a page served by node-1 shows a channel going live on node-2, with
// the node that holds its ingest, through server-sent events across the mesh; an admin drains
// and undrains a node from its row.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Mesh, startMesh } from "../../bench/support/mesh.js";
import { ApiClient } from "../support/api-client.js";
import { type Browser, launchBrowser } from "../support/browser.js";
import { type MediaProcess, publish } from "../support/media.js";
import { logIn, STATE_TIMEOUT_MS, screenshot } from "../support/ui-pages.js";

let mesh: Mesh | undefined;
let browser: Browser;
let publisher: MediaProcess | undefined;

beforeAll(async () => {
  [mesh, browser] = await Promise.all([startMesh({ nodes: [{}, {}] }), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await publisher?.stop();
  await browser?.close();
  await mesh?.stop();
});

it("lists the mesh's nodes and shows a channel live on the other node without a reload", async () => {
  const [first, second] = (mesh as Mesh).nodes;
  if (!first || !second) throw new Error("the mesh has two nodes");
  const baseUrl = first.api.baseUrl;
  const page = await browser.newPage();
  await logIn(page, baseUrl, "admin", (mesh as Mesh).adminPassword);

  await page.getByRole("link", { name: "Nodes", exact: true }).click();
  await page.getByRole("rowheader", { name: "node-1" }).waitFor();
  await page.getByRole("rowheader", { name: "node-2" }).waitFor();
  await screenshot(page, "nodes-mesh");

  // An admin drains node-2 and undrains it again from its row; the API says the same.
  const admin = await new ApiClient(baseUrl).login("admin", (mesh as Mesh).adminPassword);
  const row = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "node-2" }) });
  await page.getByRole("button", { name: "Drain node-2" }).click();
  await row.getByText("Draining").waitFor();
  const drained = (await admin.get("/nodes")).body.items as { id: string; draining: boolean }[];
  expect(drained.map((node) => [node.id, node.draining])).toEqual([
    ["node-1", false],
    ["node-2", true],
  ]);
  await page.getByRole("button", { name: "Undrain node-2" }).click();
  await row.getByText("Accepting").waitFor();

  const channel = (await admin.post("/channels", { name: "Remote stage" })).body;
  await page.goto(`${baseUrl}/channels/${channel.id}`);
  await page.getByText("Offline. Start your encoder").waitFor();
  publisher = await publish(`${second.rtmpBase}/${channel.streamKey}`);
  const facts = page.getByRole("region", { name: "Live stream" });
  await facts.getByText("node-2", { exact: true }).waitFor({ timeout: STATE_TIMEOUT_MS });
  await page.locator(".title-row").getByText("Live", { exact: true }).waitFor();
  expect(browser.problems).toEqual([]);
}, 90_000);
