// Grafana's look, as far as the overview dashboard uses it: the dark theme's named colors and classic
// palette, field colors (overrides by name, fixed, thresholds, palette), and the units' formats.
import type { FieldDefaults, Panel } from "./dashboard-panels.js";

export const THEME = {
  page: "#111217",
  panel: "#181b1f",
  border: "#2a2d33",
  grid: "#2c3036",
  text: "#ccccdc",
  dim: "#8e8e9e",
} as const;

const NAMED: Record<string, string> = {
  green: "#73BF69",
  yellow: "#FADE2A",
  red: "#F2495C",
  blue: "#5794F2",
  orange: "#FF9830",
  purple: "#B877D9",
  text: THEME.text,
};

const PALETTE = ["#73BF69", "#F2CC0C", "#8AB8FF", "#FF780A", "#F2495C", "#5794F2", "#B877D9", "#705DA0"];

const named = (color: string): string => NAMED[color] ?? color;

/** The color of field `name` (the index-th of the panel, value `value`), as Grafana picks it. */
export function fieldColor(panel: Panel, name: string, index: number, value = Number.NaN): string {
  const config = panel.fieldConfig;
  for (const override of config?.overrides ?? []) {
    if (override.matcher.id !== "byName" || override.matcher.options !== name) continue;
    const color = override.properties.find((p) => p.id === "color")?.value;
    if (color?.fixedColor) return named(color.fixedColor);
  }
  const defaults = config?.defaults;
  if (defaults?.color?.mode === "fixed" && defaults.color.fixedColor) return named(defaults.color.fixedColor);
  if (defaults?.color?.mode === "thresholds" && defaults.thresholds) {
    let color = "green";
    for (const step of defaults.thresholds.steps)
      if (step.value === null || value >= step.value) color = step.color;
    return named(color);
  }
  return PALETTE[index % PALETTE.length] ?? NAMED.green ?? "";
}

/** A value in the field's unit: bps (SI bits), bytes (IEC), percentunit, or a plain number. */
export function formatValue(value: number, defaults: FieldDefaults | undefined): string {
  if (!Number.isFinite(value)) return "No data";
  const decimals = defaults?.decimals;
  switch (defaults?.unit) {
    case "bps":
      return scaled(value, 1000, ["b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s"], decimals);
    case "bytes":
      return scaled(value, 1024, ["B", "KiB", "MiB", "GiB", "TiB"], decimals);
    case "percentunit":
      return `${number(value * 100, decimals)}%`;
    default:
      return number(value, decimals);
  }
}

function scaled(value: number, base: number, units: readonly string[], decimals?: number): string {
  let i = 0;
  while (Math.abs(value) >= base ** (i + 1) && i < units.length - 1) i += 1;
  return `${number(value / base ** i, decimals)} ${units[i]}`;
}

/** With `decimals`, or 0-2 decimals by magnitude and no trailing zeros. */
function number(value: number, decimals?: number): string {
  if (decimals !== undefined) return value.toFixed(decimals);
  const abs = Math.abs(value);
  const digits = abs >= 100 || abs === 0 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
