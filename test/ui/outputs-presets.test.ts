// Output profiles and platform presets in a real Chromium against a real node: a destination made
// from a preset in the form has the preset's URL (Kick's path rule shown), a restream added with a
// 720p profile has that output in the API and edited to copy has copy, and a restream whose live
// stream breaks its destination's preset shows the warning and applies the suggested profile in
// one click; a Remote Playback's callers at once is changed in its Edit form. No restream is
// started: nothing leaves loopback (the presets' URLs are the platforms').
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../support/api-client.js";
import { type Browser, launchBrowser } from "../support/browser.js";
import { type MediaProcess, publishEncoded } from "../support/media.js";
import {
  ADMIN_PASSWORD,
  type NodeProcess,
  removeDataDir,
  startNode,
  tempDataDir,
} from "../support/node-process.js";
import { card, logIn, STATE_TIMEOUT_MS, unlabelledControls } from "../support/ui-pages.js";
import { waitFor } from "../support/wait.js";

const COPY = { video: "copy", audio: "copy" };

let node: NodeProcess;
let browser: Browser;
let admin: ApiClient;
let page: Page;
let channel: { id: string; ingest: { rtmp: string } };
let publisher: MediaProcess | undefined;
const dataDir = tempDataDir();

beforeAll(async () => {
  [node, browser] = await Promise.all([startNode({ dataDir }), launchBrowser()]);
  admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
  channel = (await admin.post("/channels", { name: "Outputs" })).body;
  page = await browser.newPage();
  await logIn(page, node.baseUrl, "admin", ADMIN_PASSWORD);
}, 60_000);

afterAll(async () => {
  await publisher?.stop();
  await browser?.close();
  await node?.stop();
  removeDataDir(dataDir);
});

async function restreamNamed(name: string) {
  const items = (await admin.get(`/channels/${channel.id}/restreams`)).body.items as {
    id: string;
    name: string;
    output: unknown;
  }[];
  const found = items.find((restream) => restream.name === name);
  if (!found) throw new Error(`no restream ${name}`);
  return found;
}

describe("outputs and presets on the pages", () => {
  it("a destination made from the Kick preset in the form has Kick's URL, and the form shows its path rule", async () => {
    const kick = (await admin.get("/presets")).body.items.find((p: { id: string }) => p.id === "kick");
    await page.goto(`${node.baseUrl}/destinations`);
    const form = page.getByRole("form", { name: "Add destination" });
    await form.getByLabel("Name").fill("Kick");
    await form.getByRole("combobox", { name: "Platform (optional)" }).selectOption({ label: kick.name });
    expect(await form.getByLabel("URL").inputValue()).toBe(kick.url);
    await form.getByText(/needs the path \/app\/ in its URL/).waitFor();
    await form.getByRole("button", { name: "Add destination" }).click();
    await card(page, "Kick").waitFor();

    const made = (await admin.get("/destinations")).body.items.find(
      (d: { name: string }) => d.name === "Kick",
    );
    expect(made).toMatchObject({ preset: "kick", kind: "rtmps" });
    const [url, preset] = [new URL(made.url), new URL(kick.url)];
    expect([url.hostname, url.pathname]).toEqual([preset.hostname, preset.pathname]);
  }, 60_000);

  it("Add New with H.264 720p and AAC 128k: the API has that output; Edit to copy: the API has copy", async () => {
    await page.goto(`${node.baseUrl}/channels/${channel.id}`);
    await page.getByRole("button", { name: "Add New" }).click();
    const form = page.getByRole("form", { name: "Add a restream" });
    await form.getByLabel("Name (optional)").fill("Kick 720p");
    await form.getByRole("combobox", { name: "Destination" }).selectOption({ label: "Kick" });
    await form.getByLabel("Stream key").fill("never-used");
    await form.getByRole("combobox", { name: "Video" }).selectOption({ label: "H.264 720p, 3000 kbps" });
    await form.getByRole("combobox", { name: "Audio" }).selectOption({ label: "AAC 128 kbps" });
    expect(await unlabelledControls(page)).toEqual([]);
    await form.getByRole("button", { name: "Add restream" }).click();
    const item = card(page, "Kick 720p");
    await item.getByText("Output: H.264 720p, 3000 kbps · AAC 128 kbps").waitFor();
    expect((await restreamNamed("Kick 720p")).output).toEqual({
      video: { codec: "h264", bitrateKbps: 3000, maxHeight: 720 },
      audio: { codec: "aac", bitrateKbps: 128 },
    });

    await item.getByRole("button", { name: "Edit Kick 720p" }).click();
    const edit = item.getByRole("form", { name: "Edit Kick 720p" });
    const video = edit.getByRole("combobox", { name: "Video" });
    // The form opens on the restream's profile.
    expect(await video.locator("option:checked").textContent()).toBe("H.264 720p, 3000 kbps");
    await video.selectOption({ label: "Copy: video as the channel sends it" });
    await edit
      .getByRole("combobox", { name: "Audio" })
      .selectOption({ label: "Copy: audio as the channel sends it" });
    await edit.getByRole("button", { name: "Save" }).click();
    await edit.waitFor({ state: "detached" });
    expect(await item.getByText(/^Output:/).count()).toBe(0);
    expect((await restreamNamed("Kick 720p")).output).toEqual(COPY);
    expect(browser.problems).toEqual([]);
  }, 60_000);

  it("Edit of a Remote Playback changes its callers at once: the card and the API have the new cap", async () => {
    const created = await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "remote_playback",
      name: "Studio pull",
      maxCallers: 2,
    });
    expect(created.status, created.text).toBe(201);
    await page.goto(`${node.baseUrl}/channels/${channel.id}`);
    const item = card(page, "Studio pull");
    await item.getByText("Remote Playback, up to 2 callers at once").waitFor();
    await item.getByRole("button", { name: "Edit Studio pull" }).click();
    const edit = item.getByRole("form", { name: "Edit Studio pull" });
    const callers = edit.getByLabel("Callers at once");
    // The form opens on the restream's cap, and a push's fields are not there.
    expect(await callers.inputValue()).toBe("2");
    expect(await edit.getByRole("combobox", { name: "Video" }).count()).toBe(0);
    expect(await unlabelledControls(page)).toEqual([]);
    await callers.fill("6");
    await edit.getByRole("button", { name: "Save" }).click();
    await edit.waitFor({ state: "detached" });
    await item.getByText("Remote Playback, up to 6 callers at once").waitFor();
    expect((await admin.get(`/restreams/${created.body.id}`)).body.maxCallers).toBe(6);
    expect(browser.problems).toEqual([]);
  }, 60_000);

  it("a restream whose live stream breaks its preset (AAC at 32 kbps to YouTube) shows the warning; Apply sets AAC 128k", async () => {
    const youtube = (await admin.post("/destinations", { name: "YouTube", preset: "youtube" })).body;
    const created = await admin.post(`/channels/${channel.id}/restreams`, {
      kind: "destination",
      name: "To YouTube",
      destinationId: youtube.id,
      streamKey: "never-used",
    });
    expect(created.status, created.text).toBe(201);
    await page.goto(`${node.baseUrl}/channels/${channel.id}`);
    const item = card(page, "To YouTube");
    await item.waitFor();
    expect(await item.locator(".warning").count()).toBe(0);

    publisher = publishEncoded(channel.ingest.rtmp, { gopSeconds: 2, audioKbps: 32 });
    // The page reads the restreams again while the channel is live: no reload.
    await item
      .getByText(/audio bitrate is \d+ kbps; YouTube \(RTMP\) needs at least 64 kbps/)
      .waitFor({ timeout: 45_000 });
    await item.getByText("Suggested output: video as the channel sends it · AAC 128 kbps").waitFor();
    await item.getByRole("button", { name: "Apply the suggested output to To YouTube" }).click();
    await item.getByText("Output: video as the channel sends it · AAC 128 kbps").waitFor();
    expect((await restreamNamed("To YouTube")).output).toEqual({
      video: "copy",
      audio: { codec: "aac", bitrateKbps: 128 },
    });
    await waitFor(
      "the warning to go",
      async () => (await item.locator(".warning").count()) === 0,
      STATE_TIMEOUT_MS,
    );
    expect(browser.problems).toEqual([]);
  }, 90_000);
});
