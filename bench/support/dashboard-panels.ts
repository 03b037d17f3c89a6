// A Grafana dashboard's panels and what Prometheus answers to their targets: Grafana's variables
// expanded as given, range queries for time series, instant queries for targets marked instant
// (stat and table panels), legends from legendFormat, and the table "organize" transformation.
import type { PromSeries } from "./dashboard-prometheus.js";

export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

interface Target {
  readonly expr: string;
  readonly legendFormat?: string;
  readonly instant?: boolean;
}

interface Color {
  readonly mode?: string;
  readonly fixedColor?: string;
}

export interface FieldDefaults {
  readonly unit?: string;
  readonly decimals?: number;
  readonly min?: number;
  readonly color?: Color;
  readonly thresholds?: {
    readonly steps: readonly { readonly color: string; readonly value: number | null }[];
  };
  readonly custom?: {
    readonly drawStyle?: string;
    readonly fillOpacity?: number;
    readonly stacking?: { readonly mode?: string };
  };
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: GridPos;
  readonly targets?: readonly Target[];
  readonly fieldConfig?: {
    readonly defaults?: FieldDefaults;
    readonly overrides?: readonly {
      readonly matcher: { readonly id: string; readonly options: string };
      readonly properties: readonly { readonly id: string; readonly value: Color }[];
    }[];
  };
  readonly options?: {
    readonly colorMode?: string;
    readonly textMode?: string;
    readonly legend?: { readonly calcs?: readonly string[] };
  };
  readonly transformations?: readonly { readonly id: string; readonly options: Organize }[];
  readonly panels?: readonly Panel[];
}

interface Organize {
  readonly excludeByName?: Record<string, boolean>;
  readonly indexByName?: Record<string, number>;
  readonly renameByName?: Record<string, string>;
}

export interface Dashboard {
  readonly title: string;
  readonly panels: readonly Panel[];
}

export interface Series {
  readonly name: string;
  readonly points: readonly [number, number][];
}

export interface PanelData {
  readonly panel: Panel;
  readonly series: readonly Series[];
  /** Table panels: the header and the rows, after the organize transformation. */
  readonly table?: { readonly columns: readonly string[]; readonly rows: readonly string[][] };
  readonly error?: string;
}

export interface Window {
  readonly start: number;
  readonly end: number;
  readonly stepS: number;
}

export interface Querier {
  instant(expr: string, time: number): Promise<PromSeries[]>;
  range(expr: string, start: number, end: number, stepS: number): Promise<PromSeries[]>;
}

/** Every panel (rows' nested panels included) in reading order, each with its targets' results. */
export async function queryPanels(
  dashboard: Dashboard,
  prometheus: Querier,
  variables: Record<string, string>,
  window: Window,
): Promise<PanelData[]> {
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const out: PanelData[] = [];
  for (const panel of panels) {
    const found: { series: Series; metric: Record<string, string>; value: number }[] = [];
    let error: string | undefined;
    for (const target of panel.targets ?? []) {
      const expr = expand(target.expr, variables);
      try {
        const result = target.instant
          ? await prometheus.instant(expr, window.end)
          : await prometheus.range(expr, window.start, window.end, window.stepS);
        for (const r of result) {
          const series = { name: legend(target.legendFormat ?? "", r.metric), points: r.points };
          found.push({ series, metric: r.metric, value: r.points.at(-1)?.[1] ?? Number.NaN });
        }
      } catch (e) {
        error = (e as Error).message;
      }
    }
    const series = found.map((f) => f.series);
    const table =
      panel.type === "table" ? organize(found, panel.transformations?.[0]?.options ?? {}) : undefined;
    out.push({ panel, series, ...(table ? { table } : {}), ...(error ? { error } : {}) });
  }
  return out;
}

/** Grafana's $name and ${name} replaced from `variables`; unknown names are left as they are. */
export function expand(expr: string, variables: Record<string, string>): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => variables[name] ?? whole);
}

/** legendFormat with {{label}} filled in; an empty format gives the series' labels, as Grafana does. */
function legend(format: string, metric: Record<string, string>): string {
  if (format.trim() === "") {
    const labels = Object.entries(metric).map(([k, v]) => `${k}="${v}"`);
    return `{${labels.join(", ")}}`;
  }
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => metric[name] ?? "");
}

/** Grafana's table of an instant query (a column per label, then Time and Value), organized. */
function organize(
  found: readonly { metric: Record<string, string>; value: number; series: Series }[],
  options: Organize,
): { columns: string[]; rows: string[][] } {
  const labels = [...new Set(found.flatMap((f) => Object.keys(f.metric)))].sort();
  const all = [...labels, "Time", "Value"];
  const index = options.indexByName ?? {};
  const columns = all
    .filter((name) => !options.excludeByName?.[name])
    .sort((a, b) => (index[a] ?? 1000 + all.indexOf(a)) - (index[b] ?? 1000 + all.indexOf(b)));
  const cell = (f: (typeof found)[number], name: string): string => {
    if (name === "Value") return String(f.value);
    if (name === "Time") return new Date((f.series.points.at(-1)?.[0] ?? 0) * 1000).toISOString();
    return f.metric[name] ?? "";
  };
  return {
    columns: columns.map((name) => options.renameByName?.[name] ?? name),
    rows: found.map((f) => columns.map((name) => cell(f, name))),
  };
}
