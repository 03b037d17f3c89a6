// An HTML page as a PNG of exactly width x height CSS pixels: headless Chromium's --screenshot, with
// a throwaway profile, stopped by PID (and what it started) if it hangs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendants, identify, killLeftovers } from "./proc-stats.js";
import { startProcess } from "./processes.js";

const CHROMIUM = "/usr/bin/chromium";
const TIMEOUT_MS = 60_000;

export async function screenshot(html: string, width: number, height: number, out: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "streamwell-bench-screenshot-"));
  try {
    rmSync(out, { force: true });
    const page = join(dir, "page.html");
    writeFileSync(page, html);
    const chromium = startProcess("chromium", CHROMIUM, [
      ...["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      ...[
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
      ],
      ...[`--user-data-dir=${join(dir, "profile")}`, `--window-size=${width},${height}`],
      ...[`--screenshot=${out}`, `file://${page}`],
    ]);
    const timer = setTimeout(() => {
      const children = identify(descendants(chromium.pid));
      void chromium.stop().then(() => killLeftovers(children));
    }, TIMEOUT_MS);
    await chromium.exited;
    clearTimeout(timer);
    const size = pngSize(out);
    if (!size) throw new Error(`chromium wrote no PNG:\n${chromium.tail.join("\n")}`);
    if (size.width !== width || size.height !== height)
      throw new Error(`chromium's PNG is ${size.width}x${size.height}, not ${width}x${height}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Width and height from a PNG's IHDR chunk; undefined if the file is missing or not a PNG. */
function pngSize(path: string): { width: number; height: number } | undefined {
  try {
    const head = readFileSync(path).subarray(0, 24);
    if (!head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return;
    return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
  } catch {
    return;
  }
}
