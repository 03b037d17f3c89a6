// Debian's Chromium driven by playwright-core for the UI tests: headless, nothing that phones
// home, and a fresh profile (playwright launches with a new --user-data-dir in the temp dir and
// removes it on close). close() ends the browser process it started.
import { mkdirSync } from "node:fs";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const LAUNCH_TIMEOUT_MS = 30_000;
/** Every wait of a page (clicks, locators, navigation) is bounded by this unless a test says more. */
export const ACTION_TIMEOUT_MS = 15_000;
export const SCREENSHOT_DIR = new URL("../../test-results/ui/", import.meta.url).pathname;

export interface Browser {
  /** A new tab in its own context (own cookies), so two users can be logged in at once. */
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  /** Console errors and uncaught exceptions of any page (CSP violations show up here). HTTP error
   *  answers are left out: the UI asks /auth/me before login and shows 4xx answers by design. */
  readonly problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    timeout: LAUNCH_TIMEOUT_MS,
  });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    problems,
    async newPage(options = {}) {
      const context = await browser.newContext({
        viewport: options.viewport ?? { width: 1280, height: 900 },
        permissions: ["clipboard-read", "clipboard-write"],
      });
      contexts.push(context);
      context.setDefaultTimeout(ACTION_TIMEOUT_MS);
      const page = await context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error" && !message.text().startsWith("Failed to load resource"))
          problems.push(`console: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      return page;
    },
    async close() {
      await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
      await browser.close();
    },
  };
}
