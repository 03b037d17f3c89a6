// What the UI tests do on a page, the way a user does it: log in through the form, find a card by
// its heading, wait for a badge's text. Plus two checks a user with a screen reader or a phone
// would notice: controls without a label, and a page wider than the screen.
import type { Locator, Page } from "playwright-core";
import { SCREENSHOT_DIR } from "./browser.js";

/** Badge changes come through the scheduler, ffmpeg and server-sent events: seconds, not minutes. */
export const STATE_TIMEOUT_MS = 30_000;

export async function logIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { level: 1, name: "Channels" }).waitFor();
}

/** The list item (restream, destination) whose heading is `name`. */
export function card(page: Page, name: string): Locator {
  return page
    .getByRole("listitem")
    .filter({ has: page.getByRole("heading", { level: 3, name, exact: true }) });
}

export async function waitForBadge(item: Locator, label: string): Promise<void> {
  await item.locator(".badge").getByText(label, { exact: true }).waitFor({ timeout: STATE_TIMEOUT_MS });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true });
}

/** Form controls and buttons on the page that have no accessible name (should be none). */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll("input, select, textarea, button")]
    .filter((el) => {
      const labelled = (el.labels && el.labels.length > 0) || el.getAttribute("aria-label") ||
        el.getAttribute("aria-labelledby");
      return !labelled && !(el.tagName === "BUTTON" && el.textContent.trim() !== "");
    })
    .map((el) => el.outerHTML.slice(0, 120))`);
}

/** True when the page scrolls sideways (content wider than the viewport). */
export function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth");
}
