// The deploy files (Dockerfile, deploy/compose.yaml, deploy/systemd, deploy/kubernetes) checked with
// what runs here: each parses; compose against the Compose Specification's JSON schema and the
// manifests against Kubernetes' and the Prometheus Operator's (vendored in test/schemas, sources
// in its README); the units with systemd-analyze; nats.conf with nats-server -t; the compose
// Prometheus config with promtool; and every node's environment with the node's own config
// loader, so a wrong variable name or value fails here and not on someone's server.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import {
  type ComposeFile,
  interpolate,
  parseComposeText,
  readCompose,
  variablesOf,
} from "../../bench/support/compose-file.js";
import { loadConfig } from "../../node/config/load.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const DEPLOY = join(ROOT, "deploy");
const SCHEMAS = join(ROOT, "test/schemas");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const json = (path: string) => JSON.parse(read(path)) as object;
const temp = mkdtempSync(join(tmpdir(), "streamwell-deploy-files-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Placeholder values for what the user fills in (.env, Secrets), as the docs say to make them. */
const FILLED = {
  STREAMWELL_PUBLIC_HOST: "streamwell.example.com",
  STREAMWELL_MESH_SECRET: "a".repeat(64),
  STREAMWELL_ADMIN_PASSWORD: "change-me-please",
  // As env.example says to make them: "nats-" first, or nats-server reads digits as a number.
  NODE_1_NATS_PASSWORD: "nats-0123456789abcdef0123456789abcdef0123456789abcdef",
  NODE_2_NATS_PASSWORD: "nats-1123456789abcdef0123456789abcdef0123456789abcdef",
  NODE_3_NATS_PASSWORD: "nats-2123456789abcdef0123456789abcdef0123456789abcdef",
  GRAFANA_ADMIN_PASSWORD: "grafana-password",
} as const;

function ajv(): Ajv {
  const validator = new Ajv({ allErrors: true, strict: false });
  addFormats.default(validator);
  return validator;
}

/** Every vendored schema is draft-07, Ajv's own; compose-spec.json names it by a URL Ajv does not know. */
function validate({ $schema: _, ...schema }: { $schema?: string }, data: unknown): string {
  const check = ajv().compile(schema);
  if (check(data)) return "";
  return (check.errors ?? [])
    .map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`)
    .join("\n");
}

/** The node's config loader on an environment: "" when it accepts it, else its message. */
function configProblems(env: Record<string, string>): string {
  try {
    loadConfig(env);
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("Dockerfile", () => {
  const text = read("Dockerfile");
  it("is Debian with ffmpeg, runs as a non-root user, checks /readyz, keeps state in a volume", () => {
    const stages = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(stages.at(-1)).toMatch(/bookworm/);
    expect(text).toMatch(/apt-get install[^\n]*ffmpeg/);
    expect(text).toMatch(/^USER streamwell/m);
    expect(text).toMatch(/^HEALTHCHECK[\s\S]*\/readyz/m);
    expect(text).toMatch(/^VOLUME \["\/var\/lib\/streamwell"\]/m);
    expect(text).toMatch(/^ENV[\s\S]*STREAMWELL_DATA_DIR=\/var\/lib\/streamwell/m);
  });

  it("copies only paths that exist, and .dockerignore keeps state and secrets out", () => {
    for (const [, path] of text.matchAll(/^COPY (?!--from)(\S+)/gm))
      expect(existsSync(join(ROOT, path as string)), path).toBe(true);
    const ignored = read(".dockerignore").split("\n");
    for (const path of ["node_modules", "dist", "data", ".env", "**/secret.key"])
      expect(ignored).toContain(path);
  });
});

describe("deploy/compose.yaml", () => {
  const text = read("deploy/compose.yaml");
  const compose = readCompose(join(DEPLOY, "compose.yaml"), FILLED);

  it("is valid against the Compose Specification's JSON schema", () => {
    const schema = json("test/schemas/compose/compose-spec.json");
    expect(validate(schema, compose)).toBe("");
    const misspelt = { ...compose, services: { ...compose.services, extra: { imagee: "nats" } } };
    expect(validate(schema, misspelt)).toMatch(/additional properties/);
  });

  it("refuses to start without each secret .env must set, and env.example names them all", () => {
    const example = parseYaml(
      read("deploy/env.example").replace(/=/g, ": ").replace(/: $/gm, ': ""'),
    ) as object;
    for (const name of variablesOf(text)) expect(Object.keys(example), name).toContain(name);
    expect(() =>
      interpolate(parseComposeText(text), { ...FILLED, STREAMWELL_MESH_SECRET: undefined }),
    ).toThrow(/STREAMWELL_MESH_SECRET/);
  });

  it("has 3 NATS servers with JetStream and 3 nodes on them with the mesh secret, TLS and the secret key", () => {
    const nats = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith("nats:"));
    expect(nats.map(([name]) => name)).toEqual(["nats-1", "nats-2", "nats-3"]);
    const nodes = nodeServices(compose);
    expect(nodes.map(([name]) => name)).toEqual(["node-1", "node-2", "node-3"]);
    for (const [name, node] of nodes) {
      const env = node.environment ?? {};
      expect(env.STREAMWELL_NODE_ID).toBe(name);
      expect(
        env.STREAMWELL_NATS_URL?.split(",")
          .map((url) => new URL(url).host)
          .sort(),
      ).toEqual(["nats-1:4222", "nats-2:4222", "nats-3:4222"]);
      expect(env.STREAMWELL_MESH_SECRET).toBe(FILLED.STREAMWELL_MESH_SECRET);
      expect(env.STREAMWELL_NATS_TLS_CA).toBe("/run/secrets/nats_ca");
      expect(env.STREAMWELL_SECRET_KEY_FILE).toBe("/run/secrets/secret_key");
      expect(configProblems({ ...env })).toBe("");
    }
  });

  it("publishes each node's HTTP, RTMP and SRT UDP range on the same port numbers it listens on", () => {
    for (const [name, node] of nodeServices(compose)) {
      const env = node.environment ?? {};
      expect(node.ports, name).toEqual([
        `${env.STREAMWELL_HTTP_PORT}:${env.STREAMWELL_HTTP_PORT}`,
        `${env.STREAMWELL_RTMP_PORT}:${env.STREAMWELL_RTMP_PORT}`,
        `${env.STREAMWELL_SRT_PORTS}:${env.STREAMWELL_SRT_PORTS}/udp`,
      ]);
    }
  });

  it("mounts files that exist: nats.conf, the Prometheus config and rules, Grafana's provisioning and dashboards", () => {
    for (const service of Object.values(compose.services))
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0] as string;
        if (source.startsWith(".") && !source.startsWith("./tls"))
          expect(existsSync(join(DEPLOY, source)), volume).toBe(true);
      }
    expect(JSON.stringify(compose.services.grafana?.volumes)).toContain("../dashboards:");
  });

  it("nats.conf parses in nats-server with the environment compose gives it", async () => {
    await execa(join(DEPLOY, "make-certs.sh"), [join(temp, "tls")], { timeout: 30_000 });
    const env = compose.services["nats-1"]?.environment ?? {};
    const paths = {
      NATS_STORE_DIR: join(temp, "js"),
      NATS_TLS_CERT: join(temp, "tls/server.pem"),
      NATS_TLS_KEY: join(temp, "tls/server.key"),
      NATS_TLS_CA: join(temp, "tls/ca.pem"),
    };
    const result = await execa("nats-server", ["-t", "-c", join(DEPLOY, "nats/nats.conf")], {
      env: { ...env, ...paths },
      reject: false,
      timeout: 20_000,
    });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it("its Prometheus config passes promtool with the rules beside it, as the container mounts them", async () => {
    const dir = mkdtempSync(join(temp, "prometheus-"));
    copyFileSync(join(DEPLOY, "compose/prometheus.yml"), join(dir, "prometheus.yml"));
    copyFileSync(join(DEPLOY, "prometheus/streamwell-rules.yml"), join(dir, "streamwell-rules.yml"));
    const result = await execa("promtool", ["check", "config", join(dir, "prometheus.yml")], {
      reject: false,
      timeout: 20_000,
    });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
  });
});

describe("deploy/systemd", () => {
  const units = readdirSync(join(DEPLOY, "systemd")).filter((name) => name.endsWith(".service"));
  const hasSystemd = existsSync("/usr/bin/systemd-analyze") || existsSync("/bin/systemd-analyze");

  it.skipIf(!hasSystemd)("systemd-analyze verify accepts every unit without a warning", async () => {
    expect(units.sort()).toEqual(["nats-server.service", "streamwell.service"]);
    const result = await execa("systemd-analyze", ["verify", "--man=no", ...units.map((u) => `./${u}`)], {
      cwd: join(DEPLOY, "systemd"),
      reject: false,
      timeout: 30_000,
    });
    expect(result.exitCode).toBe(0);
    expect(`${result.stdout}${result.stderr}`.trim()).toBe("");
  });

  it("each unit runs as its own user with the hardening docs/deploy.md names", () => {
    for (const unit of units) {
      const text = read(`deploy/systemd/${unit}`);
      for (const line of [
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectProc=invisible",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
      ])
        expect(text, unit).toMatch(new RegExp(`^${line}$`, "m"));
      expect(text).toMatch(/^User=(streamwell|nats)$/m);
    }
    expect(read("deploy/systemd/streamwell.sysusers.conf")).toMatch(/^u streamwell /m);
  });

  it("the env file example is a configuration the node accepts once its secrets are filled in", () => {
    const env = Object.fromEntries(
      read("deploy/systemd/streamwell.env.example")
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(
      configProblems({
        ...env,
        STREAMWELL_MESH_SECRET: FILLED.STREAMWELL_MESH_SECRET,
        STREAMWELL_ADMIN_PASSWORD: FILLED.STREAMWELL_ADMIN_PASSWORD,
      }),
    ).toBe("");
  });
});

describe("deploy/kubernetes", () => {
  const SCHEMA_OF: Record<string, string> = {
    "apps/v1 StatefulSet": "kubernetes/statefulset-apps-v1.json",
    "v1 Service": "kubernetes/service-v1.json",
    "v1 ConfigMap": "kubernetes/configmap-v1.json",
    "v1 Secret": "kubernetes/secret-v1.json",
    "monitoring.coreos.com/v1 PodMonitor": "prometheus-operator/podmonitor-monitoring-v1.json",
    "monitoring.coreos.com/v1 ServiceMonitor": "prometheus-operator/servicemonitor-monitoring-v1.json",
  };
  const manifests = readdirSync(join(DEPLOY, "kubernetes"))
    .filter((name) => name.endsWith(".yaml") && name !== "nats-values.yaml")
    .flatMap((file) =>
      parseAllDocuments(read(`deploy/kubernetes/${file}`)).map((doc) => {
        expect(doc.errors, file).toEqual([]);
        return {
          file,
          object: doc.toJS() as { apiVersion: string; kind: string; metadata: { name: string } },
        };
      }),
    );
  /** The first manifest of a kind, typed as far as the test reads it. */
  const firstOf = <T>(kind: string): T => manifests.find(({ object }) => object.kind === kind)?.object as T;

  it("every manifest is valid against its kind's strict schema", () => {
    expect(manifests.length).toBeGreaterThanOrEqual(6);
    for (const { file, object } of manifests) {
      const schema = SCHEMA_OF[`${object.apiVersion} ${object.kind}`];
      expect(schema, `${file}: no schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(
        validate(json(`test/schemas/${schema}`), object),
        `${file} ${object.kind} ${object.metadata.name}`,
      ).toBe("");
    }
  });

  it("the strict schemas refuse a misspelt field (they can fail)", () => {
    const statefulSet = firstOf<{ spec: Record<string, unknown> }>("StatefulSet");
    const wrong = { ...statefulSet, spec: { ...statefulSet.spec, replica: 3 } };
    expect(validate(json("test/schemas/kubernetes/statefulset-apps-v1.json"), wrong)).toMatch(
      /additional properties/,
    );
  });

  it("the StatefulSet opens exactly the SRT range it configures, probes /healthz and /readyz, takes its secrets from the Secret", () => {
    const config = firstOf<{ data: Record<string, string> }>("ConfigMap");
    const container = firstOf<StatefulSet>("StatefulSet").spec.template.spec.containers[0] as NodeContainer;
    const [from, to] = (config.data.STREAMWELL_SRT_PORTS as string).split("-").map(Number) as [
      number,
      number,
    ];
    const udp = container.ports.filter((port) => port.protocol === "UDP").map((port) => port.containerPort);
    expect(udp).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
    expect(container.livenessProbe.httpGet.path).toBe("/healthz");
    expect(container.readinessProbe.httpGet.path).toBe("/readyz");
    const secretEnv = container.env
      .filter((e) => e.valueFrom?.secretKeyRef?.name === "streamwell")
      .map((e) => e.name);
    expect(secretEnv.sort()).toEqual([
      "STREAMWELL_ADMIN_PASSWORD",
      "STREAMWELL_MESH_SECRET",
      "STREAMWELL_NATS_URL",
    ]);
    const env = {
      ...config.data,
      ...Object.fromEntries(container.env.map((e) => [e.name, e.valueFrom ? placeholderFor(e.name) : ""])),
    };
    expect(configProblems(env)).toBe("");
  });

  it("the NATS values use only keys the official chart's values.yaml has (free-form below merge and env)", () => {
    const chart = parseYaml(readFileSync(join(SCHEMAS, "nats-helm/values.yaml"), "utf8")) as object;
    const ours = parseYaml(read("deploy/kubernetes/nats-values.yaml")) as object;
    expect(unknownKeys(ours, chart)).toEqual([]);
    expect(unknownKeys({ config: { clustr: { enabled: true } } }, chart)).toEqual(["config.clustr"]);
  });
});

interface NodeContainer {
  readonly ports: { containerPort: number; protocol: string }[];
  readonly env: { name: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
  readonly readinessProbe: { httpGet: { path: string } };
  readonly livenessProbe: { httpGet: { path: string } };
}

interface StatefulSet {
  readonly spec: { template: { spec: { containers: NodeContainer[] } } };
}

function nodeServices(compose: ComposeFile) {
  return Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
}

function placeholderFor(name: string): string {
  if (name === "STREAMWELL_NATS_URL") return "nats://streamwell:password@nats.streamwell.svc:4222";
  if (name === "STREAMWELL_PUBLIC_HOST") return "192.0.2.10";
  if (name === "STREAMWELL_NODE_ID") return "streamwell-0";
  return "x".repeat(40);
}

/** Key paths of `ours` that `chart` lacks; below merge, patch and env anything goes. */
function unknownKeys(ours: object, chart: object, path = ""): string[] {
  return Object.entries(ours).flatMap(([key, value]) => {
    const here = path ? `${path}.${key}` : key;
    if (!(key in chart)) return [here];
    if (["merge", "patch", "env"].includes(key)) return [];
    const theirs = (chart as Record<string, unknown>)[key];
    return value && typeof value === "object" && theirs && typeof theirs === "object"
      ? unknownKeys(value, theirs, here)
      : [];
  });
}
