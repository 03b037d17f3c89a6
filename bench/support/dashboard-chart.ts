// A Grafana time series panel's body as SVG (lines with their fill, bars, normal stacking, gaps where
// Prometheus has no point) over the query window, and its legend as a table with Last * and Max.
import { escapeHtml, fieldColor, formatValue, THEME } from "./dashboard-format.js";
import type { PanelData, Window } from "./dashboard-panels.js";

const AXIS = { left: 64, right: 10, top: 8, bottom: 22 };
const LEGEND_ROW = 19;

export function timeSeriesHtml(data: PanelData, window: Window, width: number, height: number): string {
  const { panel, series } = data;
  if (series.length === 0) return `<div class="nodata">${escapeHtml(data.error ?? "No data")}</div>`;
  const defaults = panel.fieldConfig?.defaults;
  const custom = defaults?.custom;
  const colors = series.map((s, i) => fieldColor(panel, s.name, i));
  const legendHeight = LEGEND_ROW * (series.length + 1) + 4;
  const chartHeight = Math.max(90, height - legendHeight);

  // Normal stacking: each series drawn from the sum of the ones before it at the same time.
  const stacked = custom?.stacking?.mode === "normal";
  const base = new Map<number, number>();
  const layers = series.map((s) =>
    s.points.map(([t, v]) => {
      const low = stacked ? (base.get(t) ?? 0) : 0;
      if (stacked) base.set(t, low + v);
      return { t, low, high: low + v };
    }),
  );
  const top = Math.max(0, ...layers.flat().map((p) => p.high));
  // Bytes get round steps in KiB, MiB or GiB; other units round in base 10.
  const unit = defaults?.unit === "bytes" && top > 0 ? 1024 ** Math.floor(Math.log(top) / Math.log(1024)) : 1;
  const scale = niceScale(top / unit, defaults?.decimals === 0);
  const [max, step] = [scale.max * unit, scale.step * unit];
  const plotW = width - AXIS.left - AXIS.right;
  const plotH = chartHeight - AXIS.top - AXIS.bottom;
  const x = (t: number): number => AXIS.left + ((t - window.start) / (window.end - window.start)) * plotW;
  const y = (v: number): number => AXIS.top + plotH - (v / max) * plotH;

  const parts: string[] = [];
  for (let v = 0; v <= max + step / 2; v += step) {
    parts.push(
      `<line x1="${AXIS.left}" x2="${width - AXIS.right}" y1="${y(v)}" y2="${y(v)}" stroke="${THEME.grid}"/>`,
      `<text x="${AXIS.left - 6}" y="${y(v) + 4}" text-anchor="end">${escapeHtml(formatValue(v, defaults))}</text>`,
    );
  }
  // A time every 30 s (UTC), none so close to the right edge that it would be cut.
  for (let t = Math.ceil(window.start / 30) * 30; x(t) <= width - AXIS.right - 26; t += 30) {
    const label = new Date(t * 1000).toISOString().slice(11, 19);
    parts.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${AXIS.top}" y2="${AXIS.top + plotH}" stroke="${THEME.grid}"/>`,
      `<text x="${x(t)}" y="${chartHeight - 6}" text-anchor="middle">${label}</text>`,
    );
  }
  const opacity = (custom?.fillOpacity ?? 0) / 100;
  layers.forEach((points, i) => {
    const color = colors[i] as string;
    if (custom?.drawStyle === "bars") {
      const barW = Math.max(2, ((window.stepS / (window.end - window.start)) * plotW) / 2);
      for (const p of points.filter((q) => q.high > q.low)) {
        const [x0, y0] = [x(p.t) - barW / 2, y(p.high)];
        parts.push(
          `<rect x="${x0}" y="${y0}" width="${barW}" height="${y(p.low) - y0}" fill="${color}" fill-opacity="${opacity}" stroke="${color}"/>`,
        );
      }
      return;
    }
    for (const run of runs(points, window.stepS)) {
      const line = run.map((p) => `${x(p.t).toFixed(1)},${y(p.high).toFixed(1)}`).join(" ");
      if (opacity > 0) {
        const floor = [...run].reverse().map((p) => `${x(p.t).toFixed(1)},${y(p.low).toFixed(1)}`);
        parts.push(
          `<polygon points="${line} ${floor.join(" ")}" fill="${color}" fill-opacity="${opacity}"/>`,
        );
      }
      parts.push(`<polyline points="${line}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    }
  });
  const svg = `<svg width="${width}" height="${chartHeight}" font-size="11" fill="${THEME.dim}">${parts.join("")}</svg>`;
  return svg + legendHtml(data, colors);
}

function legendHtml({ panel, series }: PanelData, colors: readonly string[]): string {
  const defaults = panel.fieldConfig?.defaults;
  const calcs = panel.options?.legend?.calcs ?? [];
  const names: Record<string, string> = { lastNotNull: "Last *", max: "Max" };
  const calc = (points: readonly [number, number][], name: string): number => {
    const values = points.map((p) => p[1]).filter(Number.isFinite);
    if (values.length === 0) return Number.NaN;
    return name === "max" ? Math.max(...values) : (values.at(-1) as number);
  };
  const head = calcs.map((c) => `<th>${names[c] ?? c}</th>`).join("");
  const rows = series.map((s, i) => {
    const cells = calcs.map((c) => `<td>${escapeHtml(formatValue(calc(s.points, c), defaults))}</td>`);
    const swatch = `<i style="background:${colors[i]}"></i>`;
    return `<tr><td class="name">${swatch}${escapeHtml(s.name)}</td>${cells.join("")}</tr>`;
  });
  return `<table class="legend"><tr><th class="name"></th>${head}</tr>${rows.join("")}</table>`;
}

/** The points split where Prometheus returned none for more than one step. */
function runs<T extends { t: number }>(points: readonly T[], stepS: number): T[][] {
  const out: T[][] = [];
  for (const p of points) {
    const last = out.at(-1);
    const previous = last?.at(-1);
    if (last && previous && p.t - previous.t <= stepS * 1.5) last.push(p);
    else out.push([p]);
  }
  return out;
}

/** A rounded top and a tick step giving 3-6 ticks; whole steps for whole-number fields. */
function niceScale(top: number, whole: boolean): { max: number; step: number } {
  if (top <= 0) return { max: 1, step: whole ? 1 : 0.25 };
  const rough = top / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  let step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  if (whole) step = Math.max(1, Math.ceil(step));
  return { max: Math.ceil((top * 1.05) / step) * step, step };
}
