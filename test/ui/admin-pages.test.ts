// The admin's pages in a real Chromium against a real node: editing a destination with the API's
// messages by the field, a destination in use refused with which restream uses it, the in-place
// delete confirmation by keyboard, the restreaming switch stopping a restream on screen, and a
// password change. Logging in is done with the keyboard only.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import { type Browser, launchBrowser } from "../support/browser.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import {
  card,
  logIn,
  overflowsHorizontally,
  screenshot,
  unlabelledControls,
  waitForBadge,
} from "../support/ui-pages.js";

let node: NodeProcess;
let browser: Browser;
let admin: ApiClient;
let page: Page;
let channelId: string;
let destinationId: string;
let restreamId: string;
const dataDir = tempDataDir();

beforeAll(async () => {
  [node, browser] = await Promise.all([startNode({ dataDir }), launchBrowser()]);
  admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
  destinationId = (await admin.post("/destinations", { name: "Edge", url: "rtmp://127.0.0.1:1/live" })).body
    .id;
  channelId = (await admin.post("/channels", { name: "Main stage" })).body.id;
  const restream = await admin.post(`/channels/${channelId}/restreams`, {
    kind: "destination",
    destinationId,
    streamKey: "some-key",
    name: "To edge",
  });
  expect(restream.status, restream.text).toBe(201);
  restreamId = restream.body.id;
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  removeDataDir(dataDir);
});

const focusedText = () => page.evaluate("document.activeElement?.textContent ?? ''");

describe("admin pages", () => {
  it("logs in with the keyboard alone", async () => {
    await page.goto(`${node.baseUrl}/`);
    await page.getByLabel("Username").waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.type("admin");
    await page.keyboard.press("Tab");
    await page.keyboard.type("not-the-password");
    await page.keyboard.press("Enter");
    await page.getByRole("alert").getByText("wrong username or password").waitFor();
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Channels" }).waitFor();
    // The page's heading takes the focus, so a screen reader announces where the user landed.
    expect(await focusedText()).toBe("Channels");
  }, 60_000);

  it("edits a destination: a bad URL gets the API's message under the field, a good one is saved", async () => {
    await page.getByRole("link", { name: "Destinations", exact: true }).click();
    const edge = card(page, "Edge");
    await edge.getByText("In use by 1 restream: To edge").waitFor();
    await edge.getByRole("button", { name: "Edit Edge" }).click();
    const form = edge.getByRole("form", { name: "Save destination" });
    await form.getByLabel("URL").fill("rtmp://user:secret@127.0.0.1/live");
    await form.getByRole("button", { name: "Save destination" }).click();
    await form.getByText("must not contain user:password@").waitFor();
    expect(await form.getByLabel("URL").getAttribute("aria-invalid")).toBe("true");
    expect(await unlabelledControls(page)).toEqual([]);

    await form.getByLabel("URL").fill("rtmp://127.0.0.1:1936/other");
    await form.getByRole("button", { name: "Save destination" }).click();
    await edge.getByText("rtmp://127.0.0.1:1936/other").waitFor();
    expect((await admin.get(`/destinations/${destinationId}`)).body.url).toBe("rtmp://127.0.0.1:1936/other");
  }, 60_000);

  it("delete asks in place (Escape cancels, focus returns); a destination in use is refused with who uses it", async () => {
    const edge = card(page, "Edge");
    await edge.getByRole("button", { name: "Delete Edge" }).click();
    const question = edge.getByRole("group", { name: "Delete destination Edge?" });
    await question.waitFor();
    expect(await focusedText()).toBe("Delete");
    await page.keyboard.press("Escape");
    await question.waitFor({ state: "detached" });
    expect(await focusedText()).toBe("Delete Edge");

    await page.keyboard.press("Enter");
    await question.getByRole("button", { name: "Delete", exact: true }).click();
    await edge.getByRole("alert").getByText(`is used by restream(s) ${restreamId}`).waitFor();
    expect((await admin.get(`/destinations/${destinationId}`)).status).toBe(200);
    await screenshot(page, "destinations-in-use");

    expect((await admin.delete(`/restreams/${restreamId}`)).status).toBe(204);
    await page.reload();
    await card(page, "Edge").getByText("Not in use.").waitFor();
    await card(page, "Edge").getByRole("button", { name: "Delete Edge" }).click();
    await card(page, "Edge").getByRole("button", { name: "Delete", exact: true }).click();
    await card(page, "Edge").waitFor({ state: "detached" });
    expect((await admin.get(`/destinations/${destinationId}`)).status).toBe(404);
  }, 60_000);

  it("SRT ingest switched on shows the channel's SRT URL, hidden until asked", async () => {
    await page.goto(`${node.baseUrl}/channels/${channelId}`);
    await page.getByRole("heading", { level: 1, name: "Main stage" }).waitFor();
    expect(await page.getByText("SRT URL").count()).toBe(0);
    await page.getByRole("checkbox", { name: "SRT ingest" }).check();
    await page.getByRole("button", { name: "Show SRT URL" }).click();
    const { ingest } = (await admin.get(`/channels/${channelId}`)).body;
    expect(ingest.srt).toMatch(/^srt:\/\/127\.0\.0\.1:\d+\?passphrase=/);
    await page.getByText(ingest.srt).waitFor();
    await page.getByRole("checkbox", { name: "SRT ingest" }).uncheck();
    await page.getByRole("button", { name: "Show SRT URL" }).waitFor({ state: "detached" });
    expect((await admin.get(`/channels/${channelId}`)).body.srtIngest).toBe(false);
  }, 60_000);

  it("a backup encoder switched on shows its key and URL, hidden until asked", async () => {
    await page.goto(`${node.baseUrl}/channels/${channelId}`);
    await page.getByRole("heading", { level: 1, name: "Main stage" }).waitFor();
    await page.getByRole("checkbox", { name: "Backup encoder" }).check();
    await page.getByRole("button", { name: "Show Backup RTMP URL with key" }).click();
    const { ingest, backupStreamKey } = (await admin.get(`/channels/${channelId}`)).body;
    expect(ingest.rtmpBackup).toContain(backupStreamKey);
    await page.getByText(ingest.rtmpBackup).waitFor();
    expect(await page.getByText(backupStreamKey, { exact: true }).count()).toBe(0);
    await page.getByRole("checkbox", { name: "Backup encoder" }).uncheck();
    await page.getByRole("button", { name: "Show Backup stream key" }).waitFor({ state: "detached" });
    expect((await admin.get(`/channels/${channelId}`)).body.backup).toBe(false);
  }, 60_000);

  it("turning restreaming off stops a started restream, on screen without a reload", async () => {
    const id = (
      await admin.post(`/channels/${channelId}/restreams`, { kind: "remote_playback", name: "Pull" })
    ).body.id;
    expect((await admin.post(`/restreams/${id}/start`)).status).toBe(200);
    const watcher = await browser.newPage();
    await logIn(watcher, node.baseUrl, "admin", ADMIN_PASSWORD);
    await watcher.goto(`${node.baseUrl}/channels/${channelId}`);
    await waitForBadge(card(watcher, "Pull"), "Awaiting Stream");

    await page.getByRole("link", { name: "Server Features", exact: true }).click();
    const restreaming = page.getByRole("checkbox", { name: "Restreaming" });
    await restreaming.uncheck();
    await waitForBadge(card(watcher, "Pull"), "Stopped");
    expect((await admin.get("/features")).body).toMatchObject({ restreaming: false });

    await card(watcher, "Pull").getByRole("button", { name: "Start Pull" }).click();
    await card(watcher, "Pull")
      .getByRole("alert")
      .getByText(/restreaming/i)
      .waitFor();
    await restreaming.check();
    expect((await admin.get("/features")).body).toMatchObject({ restreaming: true });
  }, 60_000);

  it("changes the password: the new one logs in, the old one no longer does", async () => {
    await page.getByRole("link", { name: "Account", exact: true }).click();
    await page.getByLabel("Current password").fill("not-the-password");
    await page.getByLabel("New password", { exact: true }).fill("a-new-admin-password");
    await page.getByLabel("Repeat new password").fill("a-different-one");
    await page.getByText("The two passwords differ.").waitFor();
    await page.getByLabel("Repeat new password").fill("a-new-admin-password");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("is wrong").waitFor();
    await page.getByLabel("Current password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.").waitFor();

    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("Username").waitFor();
    expect(
      (await new ApiClient(node.baseUrl).post("/auth/login", { username: "admin", password: ADMIN_PASSWORD }))
        .status,
    ).toBe(401);
    await logIn(page, node.baseUrl, "admin", "a-new-admin-password");
  }, 60_000);

  it("fits a phone-sized screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of [
      "/channels",
      `/channels/${channelId}`,
      "/destinations",
      "/server",
      "/nodes",
      "/account",
    ]) {
      await page.goto(`${node.baseUrl}${path}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      expect(await overflowsHorizontally(page), path).toBe(false);
    }
    await page.goto(`${node.baseUrl}/destinations`);
    await screenshot(page, "destinations-phone");
    expect(browser.problems).toEqual([]);
  }, 60_000);
});
