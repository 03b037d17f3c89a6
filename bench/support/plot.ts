// A line chart drawn as a hand-written SVG, turned into a PNG with whatever this machine has:
// rsvg-convert, else a real ImageMagick `convert`, else a headless Chromium screenshot.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendants, identify, killLeftovers } from "./proc-stats.js";
import { startProcess } from "./processes.js";

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly { x: number; y: number }[];
}

const W = 720;
const H = 440;
const M = { left: 70, right: 30, top: 50, bottom: 60 };

export function lineChartSvg(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly Series[],
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xMax = Math.max(1, ...xs);
  const yMax = niceCeil(Math.max(1, ...ys) * 1.05);
  const px = (x: number): number => M.left + (x / xMax) * (W - M.left - M.right);
  const py = (y: number): number => H - M.bottom - (y / yMax) * (H - M.top - M.bottom);
  const text = (x: number, y: number, body: string, extra = ""): string =>
    `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${extra}>${escapeXml(body)}</text>`;
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="white"/>`];
  for (let i = 0; i <= 5; i += 1) {
    const y = (yMax * i) / 5;
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`,
      text(M.left - 8, py(y) + 4, String(round(y)), 'text-anchor="end"'),
    );
  }
  for (const x of ticks(xs)) {
    parts.push(text(px(x), H - M.bottom + 18, String(x), 'text-anchor="middle"'));
  }
  parts.push(
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#333"/>`,
    text(W / 2, 28, title, 'text-anchor="middle" font-size="16" font-weight="bold"'),
    text(W / 2, H - 18, xLabel, 'text-anchor="middle"'),
    text(18, H / 2, yLabel, `text-anchor="middle" transform="rotate(-90 18 ${H / 2})"`),
  );
  series.forEach((s, index) => {
    const points = [...s.points].sort((a, b) => a.x - b.x);
    const path = points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`);
    for (const p of points) {
      parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${s.color}"/>`);
    }
    const ly = M.top + 8 + index * 20;
    parts.push(
      `<line x1="${M.left + 16}" x2="${M.left + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="3"/>`,
      text(M.left + 48, ly + 4, s.name),
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, sans-serif" font-size="13" fill="#222">
${parts.join("\n")}
</svg>
`;
}

/** The x values to label: all of them, or about a dozen evenly spread when there are more. */
function ticks(xs: readonly number[]): number[] {
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  if (distinct.length <= 12) return distinct;
  const step = Math.ceil(distinct.length / 12);
  return distinct.filter((_, i) => i % step === 0);
}

/** Writes the SVG as a PNG at `out`; returns the tool used. Throws if none worked. */
export async function svgToPng(svg: string, out: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "streamwell-bench-plot-"));
  try {
    rmSync(out, { force: true });
    const input = join(dir, "chart.svg");
    writeFileSync(input, svg);
    if (works("rsvg-convert", ["--version"]) && run("rsvg-convert", ["-o", out, input]) && isPng(out))
      return "rsvg-convert";
    // /usr/local/bin/convert may be a stand-in that only prints PNGs: only a real ImageMagick says so.
    if (
      /^Version: ImageMagick/m.test(output("convert", ["-version"])) &&
      run("convert", [input, out]) &&
      isPng(out)
    )
      return "ImageMagick convert";
    const html = join(dir, "chart.html");
    writeFileSync(html, `<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    const chromium = startProcess("chromium", "/usr/bin/chromium", [
      ...["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      ...[
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        `--user-data-dir=${join(dir, "profile")}`,
      ],
      ...[`--window-size=${W},${H}`, `--screenshot=${out}`, `file://${html}`],
    ]);
    const timer = setTimeout(() => {
      const children = identify(descendants(chromium.pid));
      void chromium.stop().then(() => killLeftovers(children));
    }, 60_000);
    await chromium.exited;
    clearTimeout(timer);
    if (isPng(out)) return "chromium --headless --screenshot";
    throw new Error(`no SVG to PNG converter worked; chromium said:\n${chromium.tail.join("\n")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function works(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: "ignore", timeout: 10_000 }).status === 0;
}

function run(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: "ignore", timeout: 60_000 }).status === 0;
}

function output(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 10_000 });
  return `${result.stdout ?? ""}${result.stderr ?? ""}`;
}

function isPng(path: string): boolean {
  try {
    return readFileSync(path)
      .subarray(0, 8)
      .equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  } catch {
    return false;
  }
}

function niceCeil(value: number): number {
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
