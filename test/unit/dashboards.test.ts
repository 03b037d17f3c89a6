// The Grafana dashboards as files: no Grafana runs here, so their structure is checked against
// what Grafana's file provisioning needs (test/integration/prometheus.test.ts runs every query).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIR = new URL("../../dashboards/", import.meta.url).pathname;
const FILES = readdirSync(DIR).filter((name) => name.endsWith(".json"));
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variable syntax, not JavaScript
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
/** Grafana's own variables a query may use besides the dashboard's. */
const BUILT_INS = ["__rate_interval", "__interval", "__range"];

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: unknown;
  targets?: { expr?: string; datasource?: unknown; refId?: string }[];
  panels?: Panel[];
}

interface Variable {
  name: string;
  type: string;
  query?: unknown;
  datasource?: unknown;
}

interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

function load(name: string): Dashboard {
  return JSON.parse(readFileSync(join(DIR, name), "utf8")) as Dashboard;
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

function variableQuery(variable: Variable): string {
  const query = variable.query;
  return typeof query === "string" ? query : String((query as { query?: string } | undefined)?.query ?? "");
}

it("has the two dashboards", () => {
  expect(FILES.map((name) => load(name).title).sort()).toEqual(["Restream detail", "Streamwell overview"]);
});

describe.each(FILES)("%s", (name) => {
  const text = readFileSync(join(DIR, name), "utf8");
  const dashboard = load(name);
  const variables = dashboard.templating.list;
  const panels = allPanels(dashboard.panels);

  it("is current-schema JSON with a uid, and no __inputs (file provisioning does not resolve them)", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(text).not.toContain("__inputs");
    expect(text).not.toContain("${DS_");
  });

  it("picks the Prometheus datasource through a variable of type datasource", () => {
    const datasource = variables.find((variable) => variable.name === "datasource");
    expect(datasource).toMatchObject({ type: "datasource", query: "prometheus" });
  });

  it("has node and channel variables queried through the datasource variable", () => {
    for (const name of ["node", "channel"]) {
      const variable = variables.find((v) => v.name === name);
      expect(variable, name).toMatchObject({ type: "query", datasource: DATASOURCE });
      expect(variableQuery(variable as Variable)).toMatch(/^label_values\(.+\)$/);
    }
  });

  it("gives every panel target an expr on the datasource variable", () => {
    const queried = panels.filter((panel) => panel.type !== "row");
    expect(queried.length).toBeGreaterThan(3);
    for (const panel of queried) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.expr?.trim(), panel.title).toBeTruthy();
        expect(target.datasource, panel.title).toEqual(DATASOURCE);
      }
    }
  });

  it("uses only variables it defines", () => {
    const defined = new Set([...variables.map((variable) => variable.name), ...BUILT_INS]);
    const exprs = [
      ...panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? "")),
      ...variables.map(variableQuery),
    ];
    for (const expr of exprs) {
      for (const [, name] of expr.matchAll(/\$\{?(\w+)/g)) expect(defined, expr).toContain(name);
    }
  });

  it("has unique panel ids and fits the 24-column grid", () => {
    const ids = panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      const grid = (panel as unknown as { gridPos: { x: number; w: number } }).gridPos;
      expect(grid.x + grid.w, panel.title).toBeLessThanOrEqual(24);
    }
  });
});

it("the overview has the panels operators look at first", () => {
  const overview = load("streamwell-overview.json");
  const titles = allPanels(overview.panels).map((panel) => panel.title);
  expect(titles).toEqual(
    expect.arrayContaining([
      "Nodes",
      "Live channels",
      "Restreams by state",
      "Restreams in error, with their reason",
      "Bitrate in",
      "Bitrate out",
      "Restarts",
    ]),
  );
  const errors = allPanels(overview.panels).find((panel) => panel.title.startsWith("Restreams in error,"));
  expect(errors?.targets?.[0]?.expr).toContain("streamwell_restream_error");
  expect(errors?.targets?.[0]?.expr).toContain("code");
});

it("the restream detail has a restream variable and its panels", () => {
  const detail = load("restream-detail.json");
  expect(detail.templating.list.map((variable) => variable.name)).toContain("restream");
  const titles = allPanels(detail.panels).map((panel) => panel.title);
  expect(titles).toEqual(
    expect.arrayContaining(["State over time", "Bitrate", "Bytes sent", "Restarts", "Uptime"]),
  );
});
