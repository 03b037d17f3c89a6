// The Account page's API tokens in a real Chromium against a real node, as a user: make a token
// (shown once, copyable), use it from a script, see it listed by name and expiry after a reload
// (never the token again), revoke it after the in-place question, and the script is refused.
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
import { card, logIn, overflowsHorizontally, screenshot, unlabelledControls } from "../support/ui-pages.js";

const USER = { username: "scripter", password: "scripter-password" };
let node: NodeProcess;
let browser: Browser;
let page: Page;
const dataDir = tempDataDir();

beforeAll(async () => {
  [node, browser] = await Promise.all([startNode({ dataDir }), launchBrowser()]);
  const admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
  expect((await admin.post("/users", { ...USER, role: "user" })).status).toBe(201);
  page = await browser.newPage();
  await logIn(page, node.baseUrl, USER.username, USER.password);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  removeDataDir(dataDir);
});

/** What a script sees with the token. */
const asScript = (token: string) => new ApiClient(node.baseUrl, token).get("/auth/me");

describe("API tokens on the Account page", () => {
  it("makes a token shown once, lists it after a reload without it, and revokes it", async () => {
    await page.getByRole("link", { name: "Account", exact: true }).click();
    await page.getByRole("heading", { level: 2, name: "API tokens" }).waitFor();
    await page.getByText("No API tokens yet.").waitFor();
    expect(await unlabelledControls(page)).toEqual([]);

    await page.getByLabel("Token name").fill("   ");
    await page.getByRole("button", { name: "Make token" }).click();
    await page.getByText("must not be empty").waitFor(); // the API's message, under the field

    await page.getByLabel("Token name").fill("Nightly export");
    await page.getByLabel("Expires in days").fill("7");
    await page.getByRole("button", { name: "Make token" }).click();
    const shown = page.locator(".new-token code");
    await shown.waitFor();
    const token = (await shown.textContent()) ?? "";
    expect(token).toMatch(/^swt\./);
    await page.getByRole("button", { name: "Copy token Nightly export" }).click();
    await page.getByText("Copied").waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(token);
    expect((await asScript(token)).body.username).toBe(USER.username);

    await page.reload();
    const item = card(page, "Nightly export");
    await item.getByText(/expires/).waitFor();
    expect(await page.content()).not.toContain(token.split(".")[2]);

    await item.getByRole("button", { name: "Revoke Nightly export" }).click();
    await item.getByRole("button", { name: "Revoke", exact: true }).click();
    await page.getByText("No API tokens yet.").waitFor();
    expect((await asScript(token)).status).toBe(401);
  }, 60_000);

  it("fits a phone-sized screen with a new token on it", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel("Token name").fill("Phone");
    await page.getByRole("button", { name: "Make token" }).click();
    await page.locator(".new-token code").waitFor();
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, "account-tokens-phone");
    expect(browser.problems).toEqual([]);
  }, 60_000);
});
