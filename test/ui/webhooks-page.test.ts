// The Webhooks page in a real Chromium against a real node: an admin adds a webhook to a receiver
// on loopback (the API's messages under the fields first), sends a test event, the receiver gets
// it signed with the secret and the delivery log shows the attempt; an edit changes the events
// and the secret; a delete removes it. A user has neither the link nor the page.
import { createHmac } from "node:crypto";
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
import { card, logIn, screenshot, unlabelledControls } from "../support/ui-pages.js";
import { waitFor } from "../support/wait.js";
import { type Received, startReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";

const SECRET = "the-ui-test-webhook-secret";
const NEW_SECRET = "the-ui-test-webhook-secret-2";
let node: NodeProcess;
let browser: Browser;
let admin: ApiClient;
let page: Page;
let receiver: WebhookReceiver;
const dataDir = tempDataDir();

beforeAll(async () => {
  [node, browser, receiver] = await Promise.all([startNode({ dataDir }), launchBrowser(), startReceiver()]);
  admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
  page = await browser.newPage();
  await logIn(page, node.baseUrl, "admin", ADMIN_PASSWORD);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  await receiver?.close();
  removeDataDir(dataDir);
});

const signedWith = (secret: string, message: Received) =>
  message.signature === `sha256=${createHmac("sha256", secret).update(message.body).digest("hex")}`;

describe("Webhooks page", () => {
  it("adds a webhook; the API's messages show under the fields", async () => {
    await page.getByRole("link", { name: "Webhooks", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Webhooks" }).waitFor();
    await page.getByText("No webhooks yet.").waitFor();
    const form = page.getByRole("form", { name: "Add webhook" });
    await form.getByLabel("URL").fill("ftp://127.0.0.1/hook");
    await form.getByLabel("Secret").fill("too-short");
    await form.getByRole("button", { name: "Add webhook" }).click();
    await form.getByText("must be an http:// or https:// URL").waitFor();
    await form.getByText("must be at least 16 characters").waitFor();
    expect(await form.getByLabel("Secret").getAttribute("aria-invalid")).toBe("true");
    await form.getByLabel("Restream state changes (restream.state)").uncheck();
    await form.getByRole("button", { name: "Add webhook" }).click();
    await form.getByText("name at least one event").waitFor();
    expect(await unlabelledControls(page)).toEqual([]);

    await form.getByLabel("URL").fill(receiver.url);
    await form.getByLabel("Channel live and offline (channel.live)").check();
    await form.getByLabel("Secret").fill(SECRET);
    await form.getByRole("button", { name: "Add webhook" }).click();
    await card(page, receiver.url).getByText("Events: channel.live").waitFor();
    expect(await form.getByLabel("Secret").inputValue()).toBe("");
    const listed = await admin.get("/webhooks");
    expect(listed.body.items).toMatchObject([{ url: receiver.url, events: ["channel.live"] }]);
    expect(await page.content()).not.toContain(SECRET);
  }, 60_000);

  it("sends a test event: the receiver gets it signed with the secret, the log shows the attempt", async () => {
    const item = card(page, receiver.url);
    await item.getByRole("button", { name: `Send test event to ${receiver.url}` }).click();
    await item.getByText("Test event sent").waitFor();
    await waitFor("the test event at the receiver", () => receiver.received.length === 1);
    const [message] = receiver.received as [Received];
    expect(message.json.event).toBe("test");
    expect(signedWith(SECRET, message)).toBe(true);
    const row = item.getByRole("row").filter({ hasText: "test" });
    await row.getByRole("cell", { name: "200 OK" }).waitFor();
    expect(await row.getByRole("cell").allTextContents()).toEqual([
      expect.any(String),
      "test",
      "1",
      "200 OK",
    ]);
    await screenshot(page, "webhooks-log");
  }, 60_000);

  it("edits the events and the secret: the next test event is signed with the new one", async () => {
    const item = card(page, receiver.url);
    await item.getByRole("button", { name: `Edit ${receiver.url}` }).click();
    const form = item.getByRole("form", { name: "Save webhook" });
    await form.getByLabel("Restream state changes (restream.state)").check();
    await form.getByLabel("Secret").fill(NEW_SECRET);
    await form.getByRole("button", { name: "Save webhook" }).click();
    await item.getByText("Events: restream.state, channel.live").waitFor();
    await item.getByRole("button", { name: `Send test event to ${receiver.url}` }).click();
    await waitFor("the second test event", () => receiver.received.length === 2);
    expect(signedWith(NEW_SECRET, receiver.received[1] as Received)).toBe(true);
    await item.getByRole("row").filter({ hasText: "test" }).nth(1).waitFor();
  }, 60_000);

  it("a user has no Webhooks link and the URL shows Not found", async () => {
    await admin.post("/users", { username: "hookless", password: "hookless-password", role: "user" });
    const user = await browser.newPage();
    await logIn(user, node.baseUrl, "hookless", "hookless-password");
    const nav = user.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link", { name: "Webhooks" }).count()).toBe(0);
    await user.goto(`${node.baseUrl}/webhooks`);
    await user.getByRole("heading", { level: 1, name: "Not found" }).waitFor();
    expect(await user.getByText(receiver.url).count()).toBe(0);
  }, 60_000);

  it("deletes a webhook after the in-place question", async () => {
    const item = card(page, receiver.url);
    await item.getByRole("button", { name: `Delete ${receiver.url}` }).click();
    await item.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByText("No webhooks yet.").waitFor();
    expect((await admin.get("/webhooks")).body.items).toEqual([]);
    expect(browser.problems).toEqual([]);
  }, 60_000);
});
