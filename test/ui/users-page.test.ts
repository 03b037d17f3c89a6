// The Users page in a real Chromium against a real node, as an admin: the API's messages under
// the fields, a user made here logs in, a role change and a password reset take effect, the last
// admin cannot be deleted or demoted (the API's message shows), a user is deleted. A user sees
// neither the page in the menu nor the page by its URL.
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

const CAROL = { username: "carol", password: "carol-first-password" };
let node: NodeProcess;
let browser: Browser;
let admin: ApiClient;
let page: Page;
const dataDir = tempDataDir();

beforeAll(async () => {
  [node, browser] = await Promise.all([startNode({ dataDir }), launchBrowser()]);
  admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
  page = await browser.newPage();
  await logIn(page, node.baseUrl, "admin", ADMIN_PASSWORD);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  removeDataDir(dataDir);
});

const canLogIn = async (username: string, password: string) =>
  (await new ApiClient(node.baseUrl).post("/auth/login", { username, password })).status === 200;

const carolId = async () =>
  (await admin.get("/users")).body.items.find((u: { username: string }) => u.username === CAROL.username)?.id;

describe("Users page", () => {
  it("adds a user who can then log in; the API's messages show under the fields", async () => {
    await page.getByRole("link", { name: "Users", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Users" }).waitFor();
    await card(page, "admin").waitFor();
    const form = page.getByRole("form", { name: "Add user" });
    await form.getByLabel("Username").fill("admin");
    await form.getByLabel("Password").fill("short");
    await form.getByRole("button", { name: "Add user" }).click();
    await form.getByText("must be at least 8 characters").waitFor();
    expect(await form.getByLabel("Password").getAttribute("aria-invalid")).toBe("true");
    await form.getByLabel("Password").fill("long-enough-password");
    await form.getByRole("button", { name: "Add user" }).click();
    await form.getByRole("alert").getByText('username "admin" is taken').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);

    await form.getByLabel("Username").fill(CAROL.username);
    await form.getByLabel("Password").fill(CAROL.password);
    await form.getByRole("button", { name: "Add user" }).click();
    await card(page, CAROL.username).waitFor();
    expect(await form.getByLabel("Username").inputValue()).toBe("");

    const carol = await browser.newPage();
    await logIn(carol, node.baseUrl, CAROL.username, CAROL.password);
    expect(await carol.getByText("carol (user)").count()).toBe(1);
  }, 60_000);

  it("a user sees no Users or Webhooks link, and their URLs show Not found", async () => {
    const carol = await browser.newPage();
    await logIn(carol, node.baseUrl, CAROL.username, CAROL.password);
    const nav = carol.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Account" }).waitFor();
    expect(await nav.getByRole("link", { name: "Users" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Webhooks" }).count()).toBe(0);
    for (const path of ["/users", "/webhooks"]) {
      await carol.goto(`${node.baseUrl}${path}`);
      await carol.getByRole("heading", { level: 1, name: "Not found" }).waitFor();
      expect(await carol.getByRole("heading", { level: 3 }).count(), path).toBe(0);
    }
  }, 60_000);

  it("changes a role at once, and refuses to demote the last admin with the API's message", async () => {
    const item = card(page, CAROL.username);
    await item.getByLabel("Role").selectOption("admin");
    await item.getByText("carol is now admin.").waitFor();
    expect((await admin.get(`/users/${await carolId()}`)).body.role).toBe("admin");
    await item.getByLabel("Role").selectOption("user");
    await item.getByText("carol is now user.").waitFor();
    expect((await admin.get(`/users/${await carolId()}`)).body.role).toBe("user");

    const self = card(page, "admin");
    await self.getByLabel("Role").selectOption("user");
    await self.getByRole("alert").getByText("the last admin").waitFor();
    // The select shows the role the API kept, not the refused choice.
    expect(await self.getByLabel("Role").inputValue()).toBe("admin");
    expect((await admin.get("/auth/me")).body.role).toBe("admin");
  }, 60_000);

  it("resets a password: the new one logs in, the old one no longer does", async () => {
    const item = card(page, CAROL.username);
    await item.getByRole("button", { name: "Reset password of carol" }).click();
    const form = item.getByRole("form", { name: "New password for carol" });
    await form.getByLabel("New password").fill("short");
    await form.getByRole("button", { name: "Set password" }).click();
    await form.getByText("must be at least 8 characters").waitFor();
    await form.getByLabel("New password").fill("carol-second-password");
    await form.getByRole("button", { name: "Set password" }).click();
    await item.getByText("New password set for carol.").waitFor();
    expect(await canLogIn(CAROL.username, "carol-second-password")).toBe(true);
    expect(await canLogIn(CAROL.username, CAROL.password)).toBe(false);
    // Your own password is changed on the Account page, where the current one is asked.
    expect(
      await card(page, "admin")
        .getByRole("button", { name: /Reset password/ })
        .count(),
    ).toBe(0);
  }, 60_000);

  it("deletes a user, and refuses to delete the last admin with the API's message", async () => {
    const self = card(page, "admin");
    await self.getByRole("button", { name: "Delete admin" }).click();
    await self.getByRole("button", { name: "Delete", exact: true }).click();
    await self.getByRole("alert").getByText("the last admin").waitFor();
    expect(await canLogIn("admin", ADMIN_PASSWORD)).toBe(true);

    const id = await carolId();
    const item = card(page, CAROL.username);
    await item.getByRole("button", { name: "Delete carol" }).click();
    await item.getByRole("button", { name: "Delete", exact: true }).click();
    await item.waitFor({ state: "detached" });
    expect((await admin.get(`/users/${id}`)).status).toBe(404);
    expect(await canLogIn(CAROL.username, "carol-second-password")).toBe(false);
  }, 60_000);

  it("fits a phone-sized screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ["/users", "/webhooks"]) {
      await page.goto(`${node.baseUrl}${path}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      expect(await overflowsHorizontally(page), path).toBe(false);
    }
    await page.goto(`${node.baseUrl}/users`);
    await screenshot(page, "users-phone");
    expect(browser.problems).toEqual([]);
  }, 60_000);
});
