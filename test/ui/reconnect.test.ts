// Live updates survive a node restart: the page says it is reconnecting while the node is down,
// reconnects by itself when the node is back on the same port, and shows later changes without
// a reload.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../bench/support/net.js";
import { ApiClient } from "../support/api-client.js";
import { type Browser, launchBrowser } from "../support/browser.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import { card, logIn, STATE_TIMEOUT_MS, waitForBadge } from "../support/ui-pages.js";

let node: NodeProcess | undefined;
let browser: Browser;
const dataDir = tempDataDir();
let env: Record<string, string>;

beforeAll(async () => {
  env = { STREAMWELL_HTTP_PORT: String(await freePort()), STREAMWELL_RTMP_PORT: String(await freePort()) };
  [node, browser] = await Promise.all([startNode({ dataDir, env }), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  removeDataDir(dataDir);
});

const status = (page: Page, text: string) =>
  page.getByRole("status").filter({ hasText: text }).waitFor({ timeout: STATE_TIMEOUT_MS });

it("reconnects after the node restarts and keeps updating without a reload", async () => {
  const baseUrl = node!.baseUrl;
  const admin = await new ApiClient(baseUrl).login("admin", ADMIN_PASSWORD);
  const channel = (await admin.post("/channels", { name: "Restarted" })).body;
  const restream = (
    await admin.post(`/channels/${channel.id}/restreams`, { kind: "remote_playback", name: "Pull" })
  ).body;

  const page = await browser.newPage();
  await logIn(page, baseUrl, "admin", ADMIN_PASSWORD);
  await page.goto(`${baseUrl}/channels/${channel.id}`);
  await waitForBadge(card(page, "Pull"), "Stopped");
  await status(page, "Live updates on");
  const navigations: string[] = [];
  page.on("framenavigated", (frame) => navigations.push(frame.url()));

  await node!.stop();
  node = undefined;
  await status(page, "Reconnecting…");
  node = await startNode({ dataDir, env });
  expect(node.baseUrl).toBe(baseUrl);
  // Most likely before the page is back (the browser retries every 2 s): no event reaches it, so
  // this shows only because the page reloads what it shows once it reconnects.
  expect((await admin.post(`/restreams/${restream.id}/start`)).status).toBe(200);
  await status(page, "Live updates on");
  await waitForBadge(card(page, "Pull"), "Awaiting Stream");

  // The session survived the restart (it is in the store), and events flow again.
  expect((await admin.post(`/restreams/${restream.id}/stop`)).status).toBe(200);
  await waitForBadge(card(page, "Pull"), "Stopped");
  expect(navigations).toEqual([]);
  expect(browser.problems).toEqual([]);
}, 90_000);

it("a session ended meanwhile (password changed elsewhere) shows the login page when the stream comes back", async () => {
  const baseUrl = node!.baseUrl;
  const page = await browser.newPage();
  await logIn(page, baseUrl, "admin", ADMIN_PASSWORD);
  await status(page, "Live updates on");

  const admin = await new ApiClient(baseUrl).login("admin", ADMIN_PASSWORD);
  const me = (await admin.get("/auth/me")).body;
  // Changing the password ends every other session of the user, the page's included.
  expect(
    (
      await admin.patch(`/users/${me.id}`, {
        password: "another-admin-password",
        currentPassword: ADMIN_PASSWORD,
      })
    ).status,
  ).toBe(200);
  await node!.stop();
  node = await startNode({ dataDir, env });
  await page.getByRole("button", { name: "Log in" }).waitFor({ timeout: STATE_TIMEOUT_MS });
}, 90_000);
