// Monitoring end to end: a real node with restreams in all four states (one pushing to a real
// nginx-rtmp, one to a port where nothing listens), scraped by Debian's Prometheus every second.
// Every PromQL expression of the dashboards and the alert rules must parse on that Prometheus,
// the overview's core panels must return data, and promtool must accept deploy/prometheus.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { ApiClient } from "../support/api-client.js";
import { type MediaProcess, publish } from "../support/media.js";
import { freePort, type NginxRtmp } from "../support/nginx-rtmp.js";
import { ADMIN_PASSWORD, type NodeProcess } from "../support/node-process.js";
import { type NodeWithNginx, startNodeWithNginx } from "../support/node-with-nginx.js";
import { waitFor } from "../support/wait.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const DASHBOARDS = join(ROOT, "dashboards");
const PROMETHEUS_DIR = join(ROOT, "deploy/prometheus");
const RULES = join(PROMETHEUS_DIR, "streamwell-rules.yml");
const STATES = ["stopped", "awaiting_stream", "streaming", "error"];

let nginx: NginxRtmp;
let node: NodeProcess;
let publisher: MediaProcess | undefined;
let prometheus: { url: string; dir: string; child: ChildProcess; exited: Promise<void> } | undefined;
let admin: ApiClient;
/** restream id by the state it is set up to reach, plus the channel that is live. */
const ids = {
  stopped: "",
  awaiting_stream: "",
  streaming: "",
  error: "",
  srtPush: "",
  playback: "",
  live: "",
};
const secrets: string[] = [];

let setup: NodeWithNginx | undefined;

beforeAll(async () => {
  // The SRT Push goes to a loopback port: the test allows loopback targets (refused by default).
  setup = await startNodeWithNginx({ node: { env: { STREAMWELL_SRT_PUSH_ALLOW: "127.0.0.0/8" } } });
  ({ nginx, node, admin } = setup);
  secrets.push(ADMIN_PASSWORD, admin.token as string);
});

afterAll(async () => {
  await stopPrometheus();
  await publisher?.stop();
  await setup?.stop();
});

async function post(path: string, body?: unknown) {
  const response = await admin.post(path, body);
  if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${response.text}`);
  return response.body;
}

async function addRestream(
  channelId: string,
  body: Record<string, unknown>,
  start: boolean,
): Promise<string> {
  const restream = await post(`/channels/${channelId}/restreams`, body);
  if (restream.playbackUrl)
    secrets.push(new URL(restream.playbackUrl).searchParams.get("passphrase") as string);
  if (start) await post(`/restreams/${restream.id}/start`);
  return restream.id;
}

async function scrape(): Promise<{ text: string; contentType: string | null }> {
  const response = await fetch(`${node.baseUrl}/metrics`);
  expect(response.status).toBe(200);
  return { text: await response.text(), contentType: response.headers.get("content-type") };
}

/** The value of the one series of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith(`${name}{`) &&
        Object.entries(labels).every(([key, value]) => l.includes(`${key}="${value}"`)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

it("exports restreams in all four states, agreeing with the API, and no secret", async () => {
  const nowhere = `rtmp://127.0.0.1:${await freePort()}/live`;
  const out = await post("/destinations", { name: "nginx out", url: nginx.url("live") });
  const dead = await post("/destinations", { name: "nowhere", url: nowhere });
  const main = await post("/channels", { name: "Main" });
  const studio = await post("/channels", { name: "Studio" });
  ids.live = main.id;
  const key = (name: string) => {
    const value = `${name}-key-${Math.random().toString(36).slice(2)}`;
    secrets.push(value);
    return value;
  };
  secrets.push(main.streamKey, studio.streamKey);
  const srtPassphrase = `srtpush${Math.random().toString(36).slice(2)}pass`;
  secrets.push(srtPassphrase);

  const to = (destination: { id: string }, name: string) => ({
    kind: "destination",
    destinationId: destination.id,
    streamKey: key(name),
  });
  ids.stopped = await addRestream(studio.id, to(out, "stopped"), false);
  ids.awaiting_stream = await addRestream(studio.id, to(out, "awaiting"), true);
  ids.streaming = await addRestream(main.id, to(out, "streaming"), true);
  ids.error = await addRestream(main.id, to(dead, "error"), true);
  ids.srtPush = await addRestream(
    studio.id,
    { kind: "srt_push", url: `srt://127.0.0.1:9999?passphrase=${srtPassphrase}` },
    false,
  );
  ids.playback = await addRestream(studio.id, { kind: "remote_playback" }, false);

  publisher = await publish(`${node.rtmpBase}/${main.streamKey}`, { loop: true });
  const stateOf = async (id: string) => (await admin.get(`/restreams/${id}`)).body.state as string;
  await waitFor("streaming", async () => (await stateOf(ids.streaming)) === "streaming", 30_000);
  await waitFor("error", async () => (await stateOf(ids.error)) === "error", 30_000);

  const ready = await admin.request("GET", "/readyz");
  expect(ready.body).toEqual({ ready: true, checks: { store: "ok", ingest: "ok" } });

  const { text: first, contentType } = await scrape();
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  // The failing restream flips to awaiting_stream while it retries: compare until both agree.
  await waitFor("metrics agree with the API", async () => {
    const { text } = await scrape();
    const restreams = (await admin.get(`/channels/${main.id}/restreams`)).body.items.concat(
      (await admin.get(`/channels/${studio.id}/restreams`)).body.items,
    ) as { id: string; state: string }[];
    return restreams.every((restream) =>
      STATES.every(
        (state) =>
          sample(text, "streamwell_restream_state", { restream_id: restream.id, state }) ===
          (state === restream.state ? 1 : 0),
      ),
    );
  });
  // destination: the saved destination's name, or the kind.
  const state = (id: string, destination: string, value: string) =>
    sample(first, "streamwell_restream_state", { restream_id: id, destination, state: value });
  expect(state(ids.stopped, "nginx out", "stopped")).toBe(1);
  expect(state(ids.awaiting_stream, "nginx out", "awaiting_stream")).toBe(1);
  expect(state(ids.streaming, "nginx out", "streaming")).toBe(1);
  expect(state(ids.srtPush, "srt_push", "stopped")).toBe(1);
  expect(state(ids.playback, "remote_playback", "stopped")).toBe(1);
  expect(sample(first, "streamwell_channel_live", { channel_id: main.id, node: "test-node" })).toBe(1);
  expect(sample(first, "streamwell_channel_live", { channel_id: studio.id, node: "test-node" })).toBe(0);
  // Actors run only for a live channel: streaming and error; awaiting_stream on the offline channel has none.
  expect(sample(first, "streamwell_node_actors", { kind: "restream" })).toBe(2);
  const errorSeries = first.split("\n").filter((line) => line.startsWith("streamwell_restream_error{"));
  expect(errorSeries.every((line) => line.includes(`restream_id="${ids.error}"`))).toBe(true);
  await waitFor("error series while in error", async () =>
    (await scrape()).text.includes(
      `streamwell_restream_error{restream_id="${ids.error}",channel_id="${main.id}",destination="nowhere",node="test-node",code="destination_unreachable"} 1`,
    ),
  );

  // Bytes grow while streaming, in and out.
  const bytes = (text: string) => [
    sample(text, "streamwell_restream_bytes_sent_total", { restream_id: ids.streaming }) ?? 0,
    sample(text, "streamwell_channel_ingest_bytes_total", { channel_id: main.id, protocol: "rtmp" }) ?? 0,
  ];
  const [sentBefore = 0, inBefore = 0] = bytes(first);
  await waitFor("bytes growing", async () => {
    const [sent = 0, received = 0] = bytes((await scrape()).text);
    return sent > sentBefore && received > inBefore;
  });
  await waitFor("an outgoing bitrate", async () => {
    const bitrate = sample((await scrape()).text, "streamwell_restream_bitrate_bits_per_second", {
      restream_id: ids.streaming,
    });
    return bitrate !== undefined && bitrate > 0;
  });

  // A deleted restream's series are gone at the next scrape.
  expect((await admin.delete(`/restreams/${ids.srtPush}`)).status).toBe(204);
  const { text: last } = await scrape();
  expect(last).not.toContain(ids.srtPush);
  for (const secret of secrets) expect(last).not.toContain(secret);
  expect(last).not.toMatch(/rtmps?:\/\/|srt:\/\//);
  expect(last).toMatch(/^streamwell_process_resident_memory_bytes\{node="test-node"\} /m);
  // The node's log says the same, with the ids to grep for, and no secret either.
  const logged = node.output.join("\n");
  expect(logged).toMatch(
    new RegExp(
      `"node":"test-node".*"event":"restream_state","restreamId":"${ids.streaming}","channelId":"${main.id}","state":"streaming"`,
    ),
  );
  for (const secret of secrets) expect(logged).not.toContain(secret);
}, 60_000);

it("is scraped by Prometheus, and every dashboard and alert query runs on it", async () => {
  prometheus = await startPrometheus(new URL(node.baseUrl).host);
  const query = (expr: string) => promQuery(expr);
  await waitFor(
    "Prometheus scraped the node twice",
    async () => {
      const up = await query('up{job="streamwell"} == 1');
      const rate = await query("rate(streamwell_channel_ingest_bytes_total[5s]) > 0");
      return up.data?.result.length === 1 && rate.data?.result.length === 1;
    },
    20_000,
  );

  const exprs = collectExpressions();
  expect(exprs.length).toBeGreaterThan(25);
  const failures: string[] = [];
  for (const { where, expr } of exprs) {
    const answer = await query(expand(expr));
    if (answer.status !== "success") failures.push(`${where}: ${answer.error} in ${expand(expr)}`);
  }
  expect(failures).toEqual([]);

  // The core panels with node and channel on "All", as the dashboard opens.
  const core = async (title: string) => {
    const panel = exprs.find((e) => e.where === `streamwell-overview.json: ${title}`);
    return query(expand(panel?.expr ?? "", { node: ".*", channel: ".*" }));
  };
  const byState = await core("Restreams by state");
  expect(
    Object.fromEntries(byState.data.result.map((r: any) => [r.metric.state, Number(r.value[1])])),
  ).toMatchObject({ stopped: 2, streaming: 1 });
  const live = await core("Live channels");
  expect(live.data.result.map((r: any) => Number(r.value[1]))).toEqual([1]);
  const bitrateOut = await core("Bitrate out");
  expect(bitrateOut.data.result.some((r: any) => Number(r.value[1]) > 0)).toBe(true);

  // The rules file loads on this Prometheus too, and every rule evaluates.
  await waitFor("rules evaluated", async () => {
    const rules = (await (await fetch(`${prometheus?.url}/api/v1/rules`)).json()) as any;
    const all = rules.data.groups.flatMap((group: any) => group.rules);
    return all.length === 3 && all.every((rule: any) => rule.health === "ok");
  });

  const duration = await query('scrape_duration_seconds{job="streamwell"}');
  expect(Number(duration.data.result[0].value[1])).toBeLessThan(1);
}, 60_000);

it("promtool accepts deploy/prometheus: config, rules and the rules' unit tests", async () => {
  const config = join(PROMETHEUS_DIR, "prometheus.yml");
  for (const args of [
    ["check", "config", config],
    ["check", "rules", RULES],
    ["test", "rules", join(PROMETHEUS_DIR, "streamwell-rules.test.yml")],
  ]) {
    const result = await execa("promtool", args, { reject: false, timeout: 20_000 });
    expect(result.exitCode, `promtool ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
  }
});

/** Every PromQL expression in the dashboards (targets and label_values queries) and the rules. */
function collectExpressions(): { where: string; expr: string }[] {
  const found: { where: string; expr: string }[] = [];
  for (const file of readdirSync(DASHBOARDS).filter((name) => name.endsWith(".json"))) {
    const dashboard = JSON.parse(readFileSync(join(DASHBOARDS, file), "utf8"));
    const walk = (panels: any[]): void => {
      for (const panel of panels ?? []) {
        for (const target of panel.targets ?? [])
          found.push({ where: `${file}: ${panel.title}`, expr: target.expr });
        walk(panel.panels);
      }
    };
    walk(dashboard.panels);
    for (const variable of dashboard.templating.list) {
      const text = typeof variable.query === "string" ? variable.query : variable.query?.query;
      const selector = /^label_values\((.+),\s*\w+\)$/.exec(text ?? "")?.[1];
      if (selector) found.push({ where: `${file}: variable ${variable.name}`, expr: selector });
    }
  }
  const rules = parseYaml(readFileSync(RULES, "utf8"));
  for (const group of rules.groups) {
    for (const rule of group.rules)
      found.push({ where: `rule ${rule.alert ?? rule.record}`, expr: rule.expr });
  }
  return found;
}

/** Grafana's variables replaced with concrete values of this scenario. */
function expand(expr: string, overrides: Record<string, string> = {}): string {
  const values: Record<string, string> = {
    node: "test-node",
    channel: ids.live,
    restream: ids.streaming,
    __rate_interval: "5s",
    __interval: "1s",
    __range: "1m",
    ...overrides,
  };
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => values[name] ?? whole);
}

async function promQuery(expr: string): Promise<any> {
  const response = await fetch(`${prometheus?.url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  return response.json();
}

async function startPrometheus(target: string) {
  const dir = mkdtempSync(join(tmpdir(), "streamwell-prometheus-"));
  const port = await freePort();
  writeFileSync(
    join(dir, "prometheus.yml"),
    [
      "global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }",
      `rule_files: [${JSON.stringify(RULES)}]`,
      "scrape_configs:",
      "  - job_name: streamwell",
      `    static_configs: [{ targets: [${JSON.stringify(target)}] }]`,
      "",
    ].join("\n"),
  );
  const child = spawn(
    "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const started = { url: `http://127.0.0.1:${port}`, dir, child, exited };
  prometheus = started;
  await waitFor(
    `Prometheus ready\n${log}`,
    async () => (await fetch(`${started.url}/-/ready`)).status === 200,
    15_000,
  );
  return started;
}

async function stopPrometheus(): Promise<void> {
  if (!prometheus) return;
  const { child, exited, dir } = prometheus;
  prometheus = undefined;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
}
