// The README's picture of the "Streamwell overview" dashboard, without Grafana: the panels' own
// PromQL run against a real Prometheus scraping a real node, drawn as a page laid out like the
// dashboard and screenshot by headless Chromium. Everything on loopback; every process stopped by PID.
//   npm run bench -- dashboard [--wait 190] [--out docs/dashboard-overview.png] [--save f.json] [--replay f.json]
// Scenario: nginx-rtmp; a node with 2 restreams streaming to it, 1 to a port where nothing listens
// (error), 1 started on a second, offline channel (awaiting_stream), 1 stopped; the clip published on
// the first channel; Prometheus scraping the node every 2 s. After --wait s: range queries over the
// last 3 min at a 5 s step (instant queries for the targets marked instant: stat and table panels).
// --save keeps the query results as JSON; --replay draws such a file again without starting anything.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { dashboardHtml } from "./support/dashboard-html.js";
import { type Dashboard, type PanelData, queryPanels, type Window } from "./support/dashboard-panels.js";
import { type Prometheus, startPrometheus } from "./support/dashboard-prometheus.js";
import { screenshot } from "./support/dashboard-screenshot.js";
import { benchClip, publish } from "./support/media.js";
import { freePort } from "./support/net.js";
import { type Nginx, startNginx } from "./support/nginx.js";
import { onInterrupt, stopAll } from "./support/processes.js";
import { type Api, type StreamwellNode, startStreamwell } from "./support/streamwell.js";
import { sleep, waitUntil } from "./support/wait.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DASHBOARD = `${ROOT}dashboards/streamwell-overview.json`;
const SCRAPE_S = 2;
const WINDOW_S = 180;
const STEP_S = 5;
/** Grafana's values for node and channel on "All", and its $__rate_interval: max(step + scrape, 4 x scrape). */
const VARIABLES = { node: ".*", channel: ".*", __rate_interval: "8s", __interval: "5s", __range: "3m" };

interface Rendered {
  readonly window: Window;
  readonly footer: string[];
  readonly panels: PanelData[];
}

let node: StreamwellNode | undefined;
let nginx: Nginx | undefined;
let prometheus: Prometheus | undefined;

async function cleanup(): Promise<void> {
  await prometheus?.stop();
  await node?.stop();
  await stopAll();
  await nginx?.stop();
  [prometheus, node, nginx] = [undefined, undefined, undefined];
}

const say = (text: string): void => {
  process.stderr.write(`bench: ${text}\n`);
};

export async function runDashboardRender(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      wait: { type: "string", default: "190" },
      out: { type: "string", default: `${ROOT}docs/dashboard-overview.png` },
      save: { type: "string" },
      replay: { type: "string" },
    },
  });
  const waitS = Number(values.wait);
  if (!(waitS >= 10 && waitS <= 600)) throw new Error("--wait: seconds, 10-600");
  const out = resolve(values.out);
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as Dashboard;
  if (values.replay) {
    await draw(dashboard, JSON.parse(readFileSync(values.replay, "utf8")) as Rendered, out);
    return;
  }
  onInterrupt(cleanup);
  const boundMs = (waitS + 150) * 1000;
  const timer = setTimeout(() => {
    say(`time bound of ${boundMs / 1000} s exceeded: stopping`);
    void cleanup().finally(() => process.exit(1));
  }, boundMs);
  try {
    const rendered = await run(dashboard, waitS);
    if (values.save) writeFileSync(values.save, JSON.stringify(rendered));
    await cleanup();
    await draw(dashboard, rendered, out);
  } finally {
    clearTimeout(timer);
    await cleanup();
  }
}

async function draw(dashboard: Dashboard, { window, footer, panels }: Rendered, out: string): Promise<void> {
  const variables = { "Data source": "Prometheus", Node: "All", Channel: "All" };
  const page = dashboardHtml(dashboard, panels, { window, variables, footer });
  await screenshot(page.html, page.width, page.height, out);
  say(`wrote ${out} (${page.width}x${page.height})`);
}

async function run(dashboard: Dashboard, waitS: number): Promise<Rendered> {
  const clip = benchClip();
  nginx = await startNginx();
  node = await startStreamwell();
  const { api } = node;
  const ids = await scenario(api, nginx, node.rtmpBase, clip);
  const target = new URL(api.baseUrl).host;
  const prom = await startPrometheus(target, SCRAPE_S);
  prometheus = prom;
  const started = Date.now();
  await waitUntil(
    "Prometheus scraping the node",
    async () => (await prom.instant('up{job="streamwell"} == 1', Date.now() / 1000)).length === 1,
    20_000,
    500,
  );
  const left = (): number => waitS - (Date.now() - started) / 1000;
  while (left() > 0) {
    say(`Prometheus is scraping the node; ${Math.round(left())} s to go`);
    await sleep(Math.min(30, left()) * 1000);
  }
  // The failing restream shows awaiting_stream for the moment of each retry: draw it in error.
  await waitUntil(
    "the error restream in error",
    async () => (await state(api, ids.error)) === "error",
    35_000,
  );
  await sleep(SCRAPE_S * 1000 + 500);
  const end = Math.floor(Date.now() / 1000);
  const window = { start: end - WINDOW_S, end, stepS: STEP_S };
  const panels = await queryPanels(dashboard, prom, VARIABLES, window);
  const build = (await (await fetch(`${prom.url}/api/v1/status/buildinfo`)).json()) as {
    data: { version: string };
  };
  const when = new Date(end * 1000).toISOString().slice(0, 16).replace("T", " ");
  return {
    window,
    panels,
    footer: [
      `Rendered from Prometheus query results (no Grafana), ${when} UTC.`,
      `Each panel's PromQL from dashboards/streamwell-overview.json run on Prometheus ${build.data.version} scraping` +
        ` one node every ${SCRAPE_S} s (node, channel = All; $__rate_interval = ${VARIABLES.__rate_interval}):` +
        ` last ${WINDOW_S / 60} min at a ${STEP_S} s step, instant queries for stat and table panels.` +
        " Scenario (npm run bench -- dashboard): 2 restreams to a local nginx-rtmp, 1 to a closed port," +
        " 1 started on an offline channel, 1 stopped.",
    ],
  };
}

/** The five restreams; resolves once the streaming and error ones have reached their state. */
async function scenario(api: Api, server: Nginx, rtmpBase: string, clip: string) {
  const nginxOut = await api.post<{ id: string }>("/destinations", { name: "nginx-rtmp", url: server.url() });
  const closed = `rtmp://127.0.0.1:${await freePort()}/live`;
  const nowhere = await api.post<{ id: string }>("/destinations", { name: "closed port", url: closed });
  const main = await api.post<{ id: string; streamKey: string }>("/channels", { name: "Main" });
  const studio = await api.post<{ id: string }>("/channels", { name: "Studio" });
  const add = async (channel: string, destinationId: string, key: string, start: boolean) => {
    const body = { kind: "destination", destinationId, streamKey: key };
    const { id } = await api.post<{ id: string }>(`/channels/${channel}/restreams`, body);
    if (start) await api.post(`/restreams/${id}/start`);
    return id;
  };
  const ids = {
    streaming: [await add(main.id, nginxOut.id, "one", true), await add(main.id, nginxOut.id, "two", true)],
    error: await add(main.id, nowhere.id, "three", true),
    awaiting: await add(studio.id, nginxOut.id, "four", true),
    stopped: await add(studio.id, nginxOut.id, "five", false),
  };
  publish(clip, `${rtmpBase}/${main.streamKey}`);
  for (const id of ids.streaming)
    await waitUntil("a restream streaming", async () => (await state(api, id)) === "streaming", 30_000);
  await waitUntil("a restream in error", async () => (await state(api, ids.error)) === "error", 30_000);
  return ids;
}

const state = async (api: Api, id: string): Promise<string> =>
  (await api.get<{ state: string }>(`/restreams/${id}`)).state;
