// The admin UI in a real Chromium against a real node (dist/), nginx-rtmp as the destination and
// ffmpeg as the publisher. What is asserted is what a user sees on the page: nav entries, field
// messages, state badges changing without a reload, the playback URL and what Copy puts on the
// clipboard. Screenshots of the pages go to test-results/ui/.
import { copyFileSync } from "node:fs";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import { type Browser, launchBrowser, SCREENSHOT_DIR } from "../support/browser.js";
import { type MediaProcess, publish } from "../support/media.js";
import { type NginxRtmp, startNginxRtmp } from "../support/nginx-rtmp.js";
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
  STATE_TIMEOUT_MS,
  screenshot,
  unlabelledControls,
  waitForBadge,
} from "../support/ui-pages.js";

const GOOD_KEY = "ui-good-key";
const FIXED_KEY = "ui-fixed-key";
const USER = { username: "alice", password: "alice-password" };
const DOCS_SCREENSHOT = new URL("../../docs/ui-channel.png", import.meta.url).pathname;

let nginx: NginxRtmp;
let node: NodeProcess;
let browser: Browser;
let admin: ApiClient;
let userPage: Page;
let publisher: MediaProcess | undefined;
const dataDir = tempDataDir();

beforeAll(async () => {
  [nginx, node, browser] = await Promise.all([
    startNginxRtmp({ applications: [{ name: "live", allowKeys: [GOOD_KEY, FIXED_KEY] }] }),
    // The SRT Push made on screen aims at loopback, which the default target policy refuses.
    startNode({ dataDir, env: { STREAMWELL_SRT_PUSH_ALLOW: "127.0.0.0/8" } }),
    launchBrowser(),
  ]);
  admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
  const created = await admin.post("/users", { ...USER, role: "user" });
  expect(created.status, created.text).toBe(201);
});

afterAll(async () => {
  await publisher?.stop();
  await browser?.close();
  await node?.stop();
  await nginx?.stop();
  removeDataDir(dataDir);
});

async function addRestream(page: Page, fill: (form: Locator) => Promise<void>): Promise<void> {
  const opener = page.getByRole("button", { name: "Add New" });
  if (await opener.isVisible()) {
    await opener.click();
    // The form takes the keyboard focus (its checked kind), not the page's body.
    expect(await page.evaluate("document.activeElement?.name")).toBe("kind");
  }
  const form = page.getByRole("form", { name: "Add a restream" });
  await fill(form);
  await form.getByRole("button", { name: "Add restream" }).click();
}

describe("admin", () => {
  it("logs in, sees the admin pages, and adds a destination; a bad URL gets the API's message by the field", async () => {
    const page = await browser.newPage();
    await page.goto(`${node.baseUrl}/`);
    await page.getByLabel("Username").waitFor();
    await screenshot(page, "login");
    await logIn(page, node.baseUrl, "admin", ADMIN_PASSWORD);
    await page.getByText("admin (admin)").waitFor();

    await page.getByRole("link", { name: "Destinations", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Destinations" }).waitFor();
    const form = page.getByRole("form", { name: "Add destination" });
    await form.getByLabel("Name").fill("Local nginx");
    await form.getByLabel("URL").fill("http://example.com/live");
    await form.getByRole("button", { name: "Add destination" }).click();
    const url = form.getByLabel("URL");
    await form.getByText('scheme "http:" is not accepted').waitFor();
    expect(await url.getAttribute("aria-invalid")).toBe("true");
    // The message is the field's description, so a screen reader reads it with the field.
    const describedBy = (await url.getAttribute("aria-describedby")) ?? "";
    expect(await page.locator(`[id="${describedBy.split(" ").at(-1)}"]`).textContent()).toContain(
      "is not accepted",
    );

    await url.fill(nginx.url("live"));
    await form.getByRole("button", { name: "Add destination" }).click();
    await card(page, "Local nginx").getByText(nginx.url("live")).waitFor();
    expect((await admin.get("/destinations")).body.items).toMatchObject([
      { name: "Local nginx", kind: "rtmp" },
    ]);
    await screenshot(page, "destinations");

    await page.getByRole("link", { name: "Server Features", exact: true }).click();
    await page.getByRole("checkbox", { name: "Restreaming" }).waitFor();
    expect(await page.getByRole("checkbox", { name: "Restreaming" }).isChecked()).toBe(true);
    await screenshot(page, "server-features");
  }, 60_000);
});

describe("user", () => {
  let channelId: string;
  let streamKey: string;

  it("does not see Destinations, in the menu or at its address", async () => {
    userPage = await browser.newPage();
    await logIn(userPage, node.baseUrl, USER.username, USER.password);
    await userPage.getByText("alice (user)").waitFor();
    expect(await userPage.getByRole("link", { name: "Destinations", exact: true }).count()).toBe(0);
    expect(await userPage.getByRole("link", { name: "Server Features", exact: true }).count()).toBe(0);
    await userPage.goto(`${node.baseUrl}/destinations`);
    await userPage.getByRole("heading", { level: 1, name: "Not found" }).waitFor();
  }, 60_000);

  it("creates a channel whose key stays hidden until asked", async () => {
    await userPage.getByRole("link", { name: "Channels", exact: true }).click();
    await userPage.getByLabel("Channel name").fill("Studio A");
    await userPage.getByRole("button", { name: "Create channel" }).click();
    await userPage.getByRole("heading", { level: 1, name: "Studio A" }).waitFor();
    channelId = userPage.url().split("/").at(-1) ?? "";
    const user = await new ApiClient(node.baseUrl).login(USER.username, USER.password);
    streamKey = (await user.get(`/channels/${channelId}`)).body.streamKey;
    expect(streamKey).toEqual(expect.any(String));

    expect(await userPage.locator("main").textContent()).not.toContain(streamKey);
    await userPage.getByRole("button", { name: "Show Stream key" }).click();
    expect(await userPage.locator("main").textContent()).toContain(streamKey);
    await userPage.getByRole("button", { name: "Hide Stream key" }).click();
    expect(await userPage.locator("main").textContent()).not.toContain(streamKey);
  }, 60_000);

  it("adds a restream and starts it while offline: Awaiting Stream; a publisher makes it Streaming without a reload; Stop: Stopped", async () => {
    await addRestream(userPage, async (form) => {
      await form.getByLabel("Name (optional)").fill("Primary");
      await form.getByRole("combobox", { name: "Destination" }).selectOption({ label: "Local nginx" });
      await form.getByLabel("Stream key").fill(GOOD_KEY);
    });
    const primary = card(userPage, "Primary");
    await waitForBadge(primary, "Stopped");
    await primary.getByRole("button", { name: "Start Primary" }).click();
    await waitForBadge(primary, "Awaiting Stream");
    await screenshot(userPage, "channel-awaiting");

    const navigations: string[] = [];
    userPage.on("framenavigated", (frame) => navigations.push(frame.url()));
    publisher = await publish(`${node.rtmpBase}/${streamKey}`);
    await waitForBadge(primary, "Streaming");
    await userPage.getByRole("heading", { level: 2, name: "Live stream" }).waitFor();
    await userPage.getByText(/H264 High/).waitFor({ timeout: STATE_TIMEOUT_MS });
    expect(navigations).toEqual([]);

    await primary.getByRole("button", { name: "Stop Primary" }).click();
    await waitForBadge(primary, "Stopped");
  }, 90_000);

  it("a destination that refuses the key: Error with its reason and the next retry", async () => {
    await addRestream(userPage, async (form) => {
      await form.getByLabel("Name (optional)").fill("Refused");
      await form.getByRole("combobox", { name: "Destination" }).selectOption({ label: "Local nginx" });
      await form.getByLabel("Stream key").fill("wrong-key");
    });
    const refused = card(userPage, "Refused");
    await refused.getByRole("button", { name: "Start Refused" }).click();
    await waitForBadge(refused, "Error");
    // Either engine says so: ffmpeg "the destination refused the stream", native "... refused the stream key ...".
    await refused.getByText(/refused the stream/).waitFor();
    await refused.getByText(/Next retry in \d+ s|Retrying now/).waitFor();
  }, 90_000);

  it("creates an SRT Push and a Remote Playback, whose URL is shown and copied", async () => {
    await addRestream(userPage, async (form) => {
      await form.getByRole("radio", { name: "SRT Push" }).check();
      await form.getByLabel("Name (optional)").fill("Backup SRT");
      await form.getByLabel("SRT URL").fill("srt://127.0.0.1:9999?latency=200");
    });
    await card(userPage, "Backup SRT").getByText("SRT Push to srt://127.0.0.1:9999").waitFor();

    await addRestream(userPage, async (form) => {
      await form.getByRole("radio", { name: "Remote Playback" }).check();
      await form.getByLabel("Name (optional)").fill("Studio pull");
    });
    const notice = userPage.getByText("Remote Playback ready");
    await notice.waitFor();
    const restreams = (await admin.get(`/channels/${channelId}/restreams`)).body.items as {
      id: string;
      name: string;
    }[];
    const playback = restreams.find((restream) => restream.name === "Studio pull");
    const playbackUrl = (await admin.get(`/restreams/${playback?.id}`)).body.playbackUrl as string;
    expect(playbackUrl).toMatch(/^srt:\/\/127\.0\.0\.1:\d+\?passphrase=(?!\*)/);
    await userPage.locator(".notice").getByText(playbackUrl).waitFor();
    await userPage.locator(".notice").getByRole("button", { name: "Copy Playback URL" }).click();
    await userPage.locator(".notice").getByText("Copied").waitFor();
    expect(await userPage.evaluate("navigator.clipboard.readText()")).toBe(playbackUrl);

    // In the list the URL is fetched on demand (lists never carry the passphrase).
    const item = card(userPage, "Studio pull");
    await item.getByRole("button", { name: "Show playback URL" }).click();
    await item.getByText(playbackUrl).waitFor();
  }, 60_000);

  it("shows the channel with restreams in several states (screenshots)", async () => {
    const primary = card(userPage, "Primary");
    await primary.getByRole("button", { name: "Start Primary" }).click();
    await waitForBadge(primary, "Streaming");
    // Counters are not in the events: the panel reads them while a restream streams.
    await primary.getByText(/[1-9][\d.]* (Mbit|kbit)\/s · [1-9]/).waitFor({ timeout: STATE_TIMEOUT_MS });
    await waitForBadge(card(userPage, "Refused"), "Error");
    // A Remote Playback waits for a caller: Awaiting Stream while the channel is live.
    await card(userPage, "Studio pull").getByRole("button", { name: "Start Studio pull" }).click();
    await waitForBadge(card(userPage, "Studio pull"), "Awaiting Stream");
    // With the Add New form open, every control on the page has a name a screen reader can read.
    expect(await unlabelledControls(userPage)).toEqual([]);
    await userPage
      .getByRole("form", { name: "Add a restream" })
      .getByRole("button", { name: "Close" })
      .click();
    await screenshot(userPage, "channel");
    if (process.env.STREAMWELL_UPDATE_DOCS_SCREENSHOT === "1")
      copyFileSync(`${SCREENSHOT_DIR}channel.png`, DOCS_SCREENSHOT);
    await userPage.setViewportSize({ width: 390, height: 844 });
    await screenshot(userPage, "channel-phone");
    expect(await overflowsHorizontally(userPage)).toBe(false);
    await userPage.setViewportSize({ width: 1280, height: 900 });
    await userPage.getByRole("link", { name: "Channels", exact: true }).click();
    await userPage.getByRole("link", { name: "Studio A", exact: true }).waitFor();
    await screenshot(userPage, "channels");
    await userPage.getByRole("link", { name: "Nodes", exact: true }).click();
    await userPage.getByRole("rowheader", { name: "test-node" }).waitFor();
    await screenshot(userPage, "nodes");
    expect(browser.problems).toEqual([]);
  }, 60_000);

  it("a refused restream fixed by editing its stream key streams, without deleting it", async () => {
    await userPage.getByRole("link", { name: "Channels", exact: true }).click();
    await userPage.getByRole("link", { name: "Studio A", exact: true }).click();
    const refused = card(userPage, "Refused");
    await refused.getByRole("button", { name: "Edit Refused" }).click();
    const form = refused.getByRole("form", { name: "Edit Refused" });
    await form.getByLabel("New stream key").fill(FIXED_KEY);
    await form.getByRole("button", { name: "Save" }).click();
    await waitForBadge(refused, "Streaming");
    expect(nginx.publishAttempts()).toContainEqual({ app: "live", name: FIXED_KEY, allowed: true });
  }, 60_000);
});
