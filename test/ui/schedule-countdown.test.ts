// A scheduled restream on the channel page in a real Chromium against a real node: the card shows
// when it starts and stops, counting down once a second; a start time set in the past from the
// edit form starts it at once (by the scheduler, no click on Start), and only the stop remains.
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
import { card, logIn, waitForBadge } from "../support/ui-pages.js";
import { waitFor } from "../support/wait.js";

let node: NodeProcess;
let browser: Browser;
let admin: ApiClient;
let page: Page;
let channelId: string;
let restreamId: string;
const dataDir = tempDataDir();

beforeAll(async () => {
  [node, browser] = await Promise.all([startNode({ dataDir }), launchBrowser()]);
  admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
  channelId = (await admin.post("/channels", { name: "Evening show" })).body.id;
  const in10min = new Date(Date.now() + 10 * 60_000).toISOString();
  const in70min = new Date(Date.now() + 70 * 60_000).toISOString();
  const created = await admin.post(`/channels/${channelId}/restreams`, {
    kind: "remote_playback",
    name: "Later",
    schedule: { startAt: in10min, stopAt: in70min },
  });
  expect(created.status, created.text).toBe(201);
  restreamId = created.body.id;
  page = await browser.newPage();
  await logIn(page, node.baseUrl, "admin", ADMIN_PASSWORD);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  removeDataDir(dataDir);
});

const scheduleText = () => card(page, "Later").locator(".schedule").textContent();

describe("schedule on the channel page", () => {
  it("shows when a restream starts and stops, counting down", async () => {
    await page.goto(`${node.baseUrl}/channels/${channelId}`);
    const later = card(page, "Later");
    await waitForBadge(later, "Stopped");
    const first = (await scheduleText()) ?? "";
    expect(first).toMatch(/^Scheduled: Starts in (9|10) min \d+ s \(.+\) · Stops in 1 h (9|10) min \(.+\)$/);
    // It ticks without a reload.
    await waitFor("the countdown ticks", async () => (await scheduleText()) !== first, 5_000);
  }, 60_000);

  // The leader applies a past start at once, and its server-sent event often reaches the page before the PATCH
  // answer: the page keeps the view with the larger revision (web/src/api/newer-view.ts), not the last to arrive.
  it("a start time set in the past starts it at once; only the stop is left to count down", async () => {
    const later = card(page, "Later");
    await later.getByRole("button", { name: "Edit Later" }).click();
    const form = later.getByRole("form", { name: "Edit Later" });
    // Two minutes ago in the browser's own zone, as a datetime-local input takes it.
    const past = await page.evaluate(() => {
      const then = new Date(Date.now() - 2 * 60_000);
      return new Date(then.getTime() - then.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    });
    await form.getByLabel("Start at").fill(past);
    await form.getByRole("button", { name: "Save" }).click();
    await waitForBadge(later, "Awaiting Stream");
    await later.getByText(/^Scheduled: Stops in 1 h \d+ min/).waitFor();
    expect(await scheduleText()).not.toContain("Starts");
    const restream = (await admin.get(`/restreams/${restreamId}`)).body;
    expect(restream.state).toBe("awaiting_stream");
    expect(restream.schedule).toEqual({ stopAt: expect.any(String) });
    expect(browser.problems).toEqual([]);
  }, 60_000);
});
