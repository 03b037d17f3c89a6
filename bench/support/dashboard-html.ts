// A page laid out like the Grafana dashboard (dark theme, 24-column grid, 30 px rows with 8 px
// gaps, as gridPos says): rows, stat panels as big numbers, tables, time series (dashboard-chart.ts).
// It draws query results only; the header says which variables and window they were run with.
import { timeSeriesHtml } from "./dashboard-chart.js";
import { escapeHtml, fieldColor, formatValue, THEME } from "./dashboard-format.js";
import type { Dashboard, GridPos, PanelData, Window } from "./dashboard-panels.js";

export const PAGE_WIDTH = 1400;
const PAD = 16;
const GAP = 8;
const ROW = 30;
const HEADER = 92;
const FOOTER = 64;
const TITLE = 30;

export interface PageInfo {
  readonly window: Window;
  /** Variable label -> shown value, e.g. Node -> All. */
  readonly variables: Record<string, string>;
  readonly footer: readonly string[];
}

export function dashboardHtml(dashboard: Dashboard, panels: readonly PanelData[], info: PageInfo) {
  const column = (PAGE_WIDTH - 2 * PAD + GAP) / 24;
  const box = ({ x, y, w, h }: GridPos) => ({
    left: PAD + x * column,
    top: HEADER + y * (ROW + GAP),
    width: w * column - GAP,
    height: h * (ROW + GAP) - GAP,
  });
  const bottom = Math.max(...panels.map(({ panel: { gridPos: g } }) => g.y + g.h));
  const height = HEADER + bottom * (ROW + GAP) + FOOTER;
  const body = panels.map((data) => {
    const b = box(data.panel.gridPos);
    const style = `left:${b.left}px;top:${b.top}px;width:${b.width}px;height:${b.height}px`;
    const title = escapeHtml(data.panel.title);
    if (data.panel.type === "row") return `<div class="row" style="${style}">&#9662; ${title}</div>`;
    const inner = { width: b.width - 2 * GAP, height: b.height - TITLE - GAP };
    return `<div class="panel" style="${style}"><div class="title">${title}</div><div class="body">${panelBody(data, info.window, inner)}</div></div>`;
  });
  const variables = Object.entries(info.variables)
    .map(([name, value]) => `<span class="var"><b>${escapeHtml(name)}</b>${escapeHtml(value)}</span>`)
    .join("");
  const minutes = Math.round((info.window.end - info.window.start) / 60);
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>${css(height)}</style></head><body>
<div class="top"><span class="crumb">Dashboards &#8250; <b>${escapeHtml(dashboard.title)}</b></span>
<span class="time">Last ${minutes} minutes &middot; UTC</span></div>
<div class="vars">${variables}</div>
${body.join("\n")}
<div class="footer" style="top:${height - FOOTER + 10}px">${info.footer.map(escapeHtml).join("<br>")}</div>
</body></html>`;
  return { html, width: PAGE_WIDTH, height };
}

function panelBody(data: PanelData, window: Window, size: { width: number; height: number }): string {
  switch (data.panel.type) {
    case "timeseries":
      return timeSeriesHtml(data, window, size.width, size.height);
    case "stat":
      return statHtml(data);
    case "table":
      return tableHtml(data);
    default:
      return `<div class="nodata">panel type ${escapeHtml(data.panel.type)} not drawn</div>`;
  }
}

/** One box per value, side by side; colored text, or a colored box for colorMode "background". */
function statHtml({ panel, series, error }: PanelData): string {
  if (series.length === 0) return `<div class="nodata">${escapeHtml(error ?? "No data")}</div>`;
  const sorted = [...series].sort((a, b) => a.name.localeCompare(b.name));
  const boxes = sorted.map((s, i) => {
    const value = s.points.at(-1)?.[1] ?? Number.NaN;
    const color = fieldColor(panel, s.name, i, value);
    const text = formatValue(value, panel.fieldConfig?.defaults);
    const filled = panel.options?.colorMode === "background";
    const style = filled ? `background:${color};color:${contrast(color)}` : `color:${color}`;
    const name =
      panel.options?.textMode === "value_and_name" ? `<div class="name">${escapeHtml(s.name)}</div>` : "";
    return `<div class="stat" style="${style}">${name}<div class="value">${escapeHtml(text)}</div></div>`;
  });
  return `<div class="stats">${boxes.join("")}</div>`;
}

function tableHtml({ table, error }: PanelData): string {
  if (!table || table.rows.length === 0) return `<div class="nodata">${escapeHtml(error ?? "No data")}</div>`;
  const head = table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const rows = table.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`);
  return `<table class="grid"><tr>${head}</tr>${rows.join("")}</table>`;
}

/** Dark text on light colors (Grafana's "text" grey, yellow), white on the others. */
function contrast(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.7 ? THEME.page : "#ffffff";
}

function css(height: number): string {
  return `
* { box-sizing: border-box; }
html, body { margin: 0; width: ${PAGE_WIDTH}px; height: ${height}px; overflow: hidden; }
body { position: relative; background: ${THEME.page}; color: ${THEME.text}; font: 13px "DejaVu Sans", sans-serif; }
.top { position: absolute; left: 0; right: 0; top: 0; height: 44px; padding: 0 ${PAD}px; display: flex;
  align-items: center; justify-content: space-between; border-bottom: 1px solid ${THEME.border}; background: ${THEME.panel}; }
.crumb { color: ${THEME.dim}; } .crumb b { color: ${THEME.text}; font-size: 15px; }
.time, .var { border: 1px solid ${THEME.border}; border-radius: 2px; padding: 4px 10px; background: ${THEME.page}; }
.vars { position: absolute; left: ${PAD}px; top: 52px; display: flex; gap: 8px; }
.var b { font-weight: normal; color: ${THEME.dim}; margin-right: 10px; }
.row { position: absolute; font-size: 15px; font-weight: bold; line-height: ${ROW}px; }
.panel { position: absolute; background: ${THEME.panel}; border: 1px solid ${THEME.border}; border-radius: 2px; overflow: hidden; }
.title { height: ${TITLE}px; line-height: ${TITLE}px; padding: 0 ${GAP}px; font-weight: bold; white-space: nowrap; }
.body { position: absolute; left: ${GAP}px; right: ${GAP}px; top: ${TITLE}px; bottom: ${GAP}px; }
.nodata { display: flex; height: 100%; align-items: center; justify-content: center; color: ${THEME.dim}; }
.stats { display: flex; gap: 6px; height: 100%; }
.stat { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; border-radius: 2px; }
.stat .value { font-size: 40px; font-weight: bold; line-height: 1.1; }
.stat .name { font-size: 14px; }
table { border-collapse: collapse; width: 100%; }
table.grid th, table.grid td { text-align: left; padding: 5px 8px; border-bottom: 1px solid ${THEME.border}; white-space: nowrap; }
table.grid th { color: #6e9fff; font-weight: normal; background: #1d2126; }
table.legend { font-size: 11.5px; margin-top: 4px; }
table.legend th { color: ${THEME.dim}; font-weight: normal; text-align: right; padding: 0 6px; height: 19px; white-space: nowrap; }
table.legend td { text-align: right; padding: 0 6px; height: 19px; white-space: nowrap; }
table.legend .name { text-align: left; width: 100%; }
table.legend i { display: inline-block; width: 14px; height: 4px; margin: 0 6px 3px 0; border-radius: 2px; }
.footer { position: absolute; left: ${PAD}px; right: ${PAD}px; color: ${THEME.dim}; font-size: 12px; }
`;
}
