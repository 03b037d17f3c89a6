import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, envName, loadConfig } from "../../node/config/load.js";
import { SECRET_KEYS } from "../../node/config/schema.js";
import { StreamwellError } from "../../node/defs/errors.js";

const PORT_MESSAGE = "must be a whole number from 0 to 65535 (0 picks a free port)";
const TEST_KEY = Buffer.alloc(32, 7).toString("base64");
const PAIR_MESSAGE = "rtmpsCert and rtmpsKey go together: set both or neither";
const MESH_SECRET = "a-mesh-secret-of-at-least-32-characters";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "streamwell-config-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs loadConfig and returns the ConfigError it must throw. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("loadConfig did not throw");
}

describe("envName", () => {
  it("maps camelCase keys to STREAMWELL_ + SCREAMING_SNAKE", () => {
    expect(envName("httpPort")).toBe("STREAMWELL_HTTP_PORT");
    expect(envName("srtPorts")).toBe("STREAMWELL_SRT_PORTS");
    expect(envName("sessionTtlHours")).toBe("STREAMWELL_SESSION_TTL_HOURS");
    expect(envName("namespace")).toBe("STREAMWELL_NAMESPACE");
  });
});

describe("loadConfig defaults", () => {
  it("gives every default with an empty environment", () => {
    const config = loadConfig({});
    expect(config).toEqual({
      httpPort: 8080,
      bindHost: "0.0.0.0",
      rtmpPort: 1935,
      rtmpsPort: 1936,
      srtPorts: { from: 9000, to: 9199 },
      dataDir: "./data",
      nodeId: hostname()
        .replace(/[^A-Za-z0-9_-]/g, "-")
        .slice(0, 64),
      publicHost: hostname(),
      namespace: "streamwell",
      natsReplicas: 1,
      maxRestreams: 0,
      rtmpMaxConnectionsPerAddress: 16,
      restreamEngine: "native",
      webhookRetryBaseMs: 2000,
      caFile: "/etc/ssl/certs/ca-certificates.crt",
      logLevel: "info",
      sessionTtlHours: 12,
      sseMaxPerNode: 1000,
      sseMaxPerUser: 10,
      secureCookies: false,
      trustProxy: false,
      loginWindowSeconds: 900,
      meshInsecure: false,
      quotaChannels: 0,
      quotaRestreams: 0,
      quotaSrtPorts: 10,
      srtPushAllow: [],
    });
    expect(config.rtmpsCert).toBeUndefined();
    expect(config.rtmpsKey).toBeUndefined();
    expect(config.adminPassword).toBeUndefined();
    expect(config.natsUrl).toBeUndefined();
    expect(config.natsToken).toBeUndefined();
  });

  it("ignores variables outside the STREAMWELL_ prefix", () => {
    expect(loadConfig({ HTTP_PORT: "1", PATH: "/usr/bin", streamwell_http_port: "2" }).httpPort).toBe(8080);
  });

  it("returns a frozen object with a frozen srtPorts", () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.srtPorts)).toBe(true);
    expect(() => {
      (config as any).httpPort = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.srtPorts as any).from = 1;
    }).toThrow(TypeError);
    expect(config.httpPort).toBe(8080);
    expect(config.srtPorts.from).toBe(9000);
  });

  it("lists adminPassword, natsToken, the secret keys, the metrics token and the mesh secrets as secrets", () => {
    expect([...SECRET_KEYS].sort()).toEqual([
      "adminPassword",
      "meshSecret",
      "meshSecretAccept",
      "metricsToken",
      "natsToken",
      "secretKey",
      "secretKeyPrevious",
    ]);
  });

  it("reads the edge's flags", () => {
    const config = loadConfig({ STREAMWELL_SECURE_COOKIES: "true", STREAMWELL_TRUST_PROXY: "false" });
    expect(config).toMatchObject({ secureCookies: true, trustProxy: false, loginWindowSeconds: 900 });
    expect(() => loadConfig({ STREAMWELL_SECURE_COOKIES: "yes" })).toThrow(/STREAMWELL_SECURE_COOKIES/);
  });
});

describe("loadConfig from the environment", () => {
  it("coerces ports, including 0", () => {
    const config = loadConfig({ STREAMWELL_HTTP_PORT: "0", STREAMWELL_RTMP_PORT: "19350" });
    expect(config.httpPort).toBe(0);
    expect(config.rtmpPort).toBe(19350);
  });

  it("parses STREAMWELL_SRT_PORTS into {from, to}", () => {
    expect(loadConfig({ STREAMWELL_SRT_PORTS: "9000-9010" }).srtPorts).toEqual({ from: 9000, to: 9010 });
    expect(loadConfig({ STREAMWELL_SRT_PORTS: "5000-5000" }).srtPorts).toEqual({ from: 5000, to: 5000 });
  });

  it("takes every other setting from its variable", () => {
    const config = loadConfig({
      STREAMWELL_BIND_HOST: "127.0.0.1",
      STREAMWELL_RTMPS_CERT: "/etc/cert.pem",
      STREAMWELL_RTMPS_KEY: "/etc/key.pem",
      STREAMWELL_DATA_DIR: "/var/lib/streamwell",
      STREAMWELL_NODE_ID: "node-1",
      STREAMWELL_PUBLIC_HOST: "stream.example.com",
      STREAMWELL_NATS_URL: "nats://127.0.0.1:4222",
      STREAMWELL_NATS_TOKEN: "nats-token",
      STREAMWELL_SECRET_KEY: TEST_KEY,
      STREAMWELL_NATS_CREDS: "/etc/streamwell/node.creds",
      STREAMWELL_NATS_TLS_CA: "/etc/streamwell/ca.pem",
      STREAMWELL_NATS_TLS_CERT: "/etc/streamwell/node.pem",
      STREAMWELL_NATS_TLS_KEY: "/etc/streamwell/node.key",
      STREAMWELL_MESH_SECRET: MESH_SECRET,
      STREAMWELL_NAMESPACE: "ns_1",
      STREAMWELL_NATS_REPLICAS: "3",
      STREAMWELL_MAX_RESTREAMS: "5",
      STREAMWELL_LOG_LEVEL: "debug",
      STREAMWELL_RESTREAM_ENGINE: "ffmpeg",
      STREAMWELL_ADMIN_PASSWORD: "long-enough-password",
      STREAMWELL_SESSION_TTL_HOURS: "1.5",
    });
    expect(config).toMatchObject({
      bindHost: "127.0.0.1",
      rtmpsCert: "/etc/cert.pem",
      rtmpsKey: "/etc/key.pem",
      dataDir: "/var/lib/streamwell",
      nodeId: "node-1",
      publicHost: "stream.example.com",
      natsUrl: "nats://127.0.0.1:4222",
      natsToken: "nats-token",
      secretKey: TEST_KEY,
      natsCreds: "/etc/streamwell/node.creds",
      natsTlsCa: "/etc/streamwell/ca.pem",
      natsTlsCert: "/etc/streamwell/node.pem",
      natsTlsKey: "/etc/streamwell/node.key",
      meshSecret: MESH_SECRET,
      namespace: "ns_1",
      natsReplicas: 3,
      maxRestreams: 5,
      logLevel: "debug",
      restreamEngine: "ffmpeg",
      adminPassword: "long-enough-password",
      sessionTtlHours: 1.5,
    });
  });

  it.each([
    ["STREAMWELL_HTTP_PORT", "65536", `STREAMWELL_HTTP_PORT (httpPort): ${PORT_MESSAGE}`],
    ["STREAMWELL_HTTP_PORT", "-1", `STREAMWELL_HTTP_PORT (httpPort): ${PORT_MESSAGE}`],
    ["STREAMWELL_HTTP_PORT", "80.5", `STREAMWELL_HTTP_PORT (httpPort): ${PORT_MESSAGE}`],
    ["STREAMWELL_RTMP_PORT", "abc", `STREAMWELL_RTMP_PORT (rtmpPort): ${PORT_MESSAGE}`],
    ["STREAMWELL_SRT_PORTS", "9000", 'STREAMWELL_SRT_PORTS (srtPorts): must look like "9000-9199"'],
    [
      "STREAMWELL_SRT_PORTS",
      "9010-9000",
      "STREAMWELL_SRT_PORTS (srtPorts): must be FROM-TO with 1 <= FROM <= TO <= 65535",
    ],
    [
      "STREAMWELL_SRT_PORTS",
      "0-10",
      "STREAMWELL_SRT_PORTS (srtPorts): must be FROM-TO with 1 <= FROM <= TO <= 65535",
    ],
    [
      "STREAMWELL_SRT_PORTS",
      "9000-70000",
      "STREAMWELL_SRT_PORTS (srtPorts): must be FROM-TO with 1 <= FROM <= TO <= 65535",
    ],
    [
      "STREAMWELL_NODE_ID",
      "bad id!",
      "STREAMWELL_NODE_ID (nodeId): must be 1-64 characters of letters, digits, '_' or '-'",
    ],
    [
      "STREAMWELL_MAX_RESTREAMS",
      "many",
      "STREAMWELL_MAX_RESTREAMS (maxRestreams): must be a whole number >= 0 (0: no limit)",
    ],
    [
      "STREAMWELL_NATS_URL",
      "http://127.0.0.1:4222",
      "STREAMWELL_NATS_URL (natsUrl): must be one or more nats:// or tls:// URLs, comma-separated",
    ],
    [
      "STREAMWELL_NATS_URL",
      "nats://a:4222,not a url",
      "STREAMWELL_NATS_URL (natsUrl): must be one or more nats:// or tls:// URLs, comma-separated",
    ],
    [
      "STREAMWELL_NATS_REPLICAS",
      "0",
      "STREAMWELL_NATS_REPLICAS (natsReplicas): must be a whole number from 1 to 5",
    ],
    [
      "STREAMWELL_NAMESPACE",
      "a.b",
      "STREAMWELL_NAMESPACE (namespace): must be 1-32 characters of letters, digits, '_' or '-'",
    ],
  ])("%s=%j is refused by name", (name, value, problem) => {
    const error = configError({ [name]: value });
    expect(error.problems).toEqual([problem]);
    expect(error.message).toContain(problem);
  });

  it("refuses a variable that is set but empty instead of reading it as 0", () => {
    expect(configError({ STREAMWELL_HTTP_PORT: "" }).problems).toEqual([
      "STREAMWELL_HTTP_PORT: set but empty (unset it to use the default)",
    ]);
  });

  it("refuses an unknown STREAMWELL_ variable and lists the known ones", () => {
    const error = configError({ STREAMWELL_FOO: "1" });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^STREAMWELL_FOO: unknown setting \(known: /);
    expect(error.problems[0]).toContain("STREAMWELL_HTTP_PORT");
    expect(error.problems[0]).toContain("STREAMWELL_SRT_PORTS");
  });

  it("refuses an unknown restream engine", () => {
    const error = configError({ STREAMWELL_RESTREAM_ENGINE: "gstreamer" });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^STREAMWELL_RESTREAM_ENGINE \(restreamEngine\): .*native.*ffmpeg/);
  });

  it("refuses an unknown log level", () => {
    const error = configError({ STREAMWELL_LOG_LEVEL: "loud" });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^STREAMWELL_LOG_LEVEL \(logLevel\): /);
  });
});

describe("loadConfig from a file", () => {
  it("reads a YAML file named by STREAMWELL_CONFIG", () => {
    const path = file(
      "streamwell.yaml",
      "# comment\nhttpPort: 8081\nsrtPorts: 7000-7009\nlogLevel: warn\nrtmpsCert: /c.pem\nrtmpsKey: /k.pem\n",
    );
    const config = loadConfig({ STREAMWELL_CONFIG: path });
    expect(config.httpPort).toBe(8081);
    expect(config.srtPorts).toEqual({ from: 7000, to: 7009 });
    expect(config.logLevel).toBe("warn");
    expect(config.rtmpsCert).toBe("/c.pem");
    expect(config.rtmpsKey).toBe("/k.pem");
    expect(config.rtmpPort).toBe(1935);
  });

  it("reads a JSON file", () => {
    const path = file(
      "streamwell.json",
      JSON.stringify({ httpPort: 8082, dataDir: "/srv/data", maxRestreams: 3, srtPorts: "6000-6001" }),
    );
    const config = loadConfig({ STREAMWELL_CONFIG: path });
    expect(config.httpPort).toBe(8082);
    expect(config.dataDir).toBe("/srv/data");
    expect(config.maxRestreams).toBe(3);
    expect(config.srtPorts).toEqual({ from: 6000, to: 6001 });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("applies defaults < file < environment", () => {
    const path = file("streamwell.yml", "httpPort: 81\nrtmpPort: 1940\nsrtPorts: 7000-7001\n");
    const config = loadConfig({
      STREAMWELL_CONFIG: path,
      STREAMWELL_HTTP_PORT: "82",
      STREAMWELL_SRT_PORTS: "7100-7102",
    });
    expect(config.httpPort).toBe(82); // env beats file
    expect(config.srtPorts).toEqual({ from: 7100, to: 7102 }); // env beats file
    expect(config.rtmpPort).toBe(1940); // file beats default
    expect(config.rtmpsPort).toBe(1936); // default
  });

  it("names a bad value from the file by its key, not by a variable", () => {
    const path = file("streamwell.yaml", "httpPort: 70000\n");
    const error = configError({ STREAMWELL_CONFIG: path });
    expect(error.problems).toEqual([`httpPort: ${PORT_MESSAGE}`]);
    expect(error.message).not.toContain("STREAMWELL_HTTP_PORT");
  });

  it("names the variable when the environment overrides a bad file value", () => {
    const path = file("streamwell.yaml", "httpPort: 80\n");
    const error = configError({ STREAMWELL_CONFIG: path, STREAMWELL_HTTP_PORT: "x" });
    expect(error.problems).toEqual([`STREAMWELL_HTTP_PORT (httpPort): ${PORT_MESSAGE}`]);
  });

  it("reports a file that cannot be read", () => {
    const path = join(dir, "missing.yaml");
    const error = configError({ STREAMWELL_CONFIG: path });
    expect(error.problems).toEqual([`STREAMWELL_CONFIG: cannot read ${path} (ENOENT)`]);
    expect(error.message).toContain(path);
  });

  it("reports a directory given as the file", () => {
    const path = join(dir, "sub");
    mkdirSync(path);
    const error = configError({ STREAMWELL_CONFIG: path });
    expect(error.problems).toEqual([`STREAMWELL_CONFIG: cannot read ${path} (EISDIR)`]);
  });

  it("reports invalid YAML", () => {
    const path = file("bad.yaml", "httpPort: [1, 2\nrtmpPort: 1\n");
    const error = configError({ STREAMWELL_CONFIG: path });
    expect(error.problems).toHaveLength(1);
    expect(error.problems).toEqual([`STREAMWELL_CONFIG: ${path} is not valid YAML (line 2)`]);
  });

  it("reports invalid JSON in a .json file", () => {
    const path = file("bad.json", '{"httpPort": 80,}');
    const error = configError({ STREAMWELL_CONFIG: path });
    expect(error.problems).toHaveLength(1);
    expect(error.problems).toEqual([`STREAMWELL_CONFIG: ${path} is not valid JSON`]);
  });

  it.each([
    ["a YAML list", "list.yaml", "- httpPort: 80\n- rtmpPort: 1935\n"],
    ["a YAML scalar", "scalar.yaml", "just text\n"],
    ["a JSON array", "array.json", "[1, 2]"],
  ])("refuses a file holding %s", (_what, name, text) => {
    const path = file(name, text);
    const error = configError({ STREAMWELL_CONFIG: path });
    expect(error.problems).toEqual([`STREAMWELL_CONFIG: ${path} must hold a mapping of keys to values`]);
  });

  it.each([
    ["an empty YAML file", "empty.yaml", ""],
    ["a YAML file of comments", "comments.yaml", "# nothing set yet\n"],
    ["JSON null", "null.json", "null"],
  ])("reads %s as no settings", (_what, name, text) => {
    expect(loadConfig({ STREAMWELL_CONFIG: file(name, text) }).httpPort).toBe(8080);
  });

  it("refuses an unknown key in the file, naming it", () => {
    const path = file("streamwell.yaml", "httpPort: 80\ncolour: blue\n");
    const error = configError({ STREAMWELL_CONFIG: path });
    expect(error.problems).toEqual(["config: unknown setting(s) colour"]);
    expect(error.message).toContain("colour");
  });
});

describe("ConfigError", () => {
  it("lists every problem at once, by variable or by key", () => {
    const path = file("streamwell.yaml", "rtmpPort: 99999\nsrtPorts: nine-thousand\nrtmpsCert: /c.pem\n");
    const error = configError({
      STREAMWELL_CONFIG: path,
      STREAMWELL_HTTP_PORT: "70000",
      STREAMWELL_FOO: "bar",
    });
    expect(error).toBeInstanceOf(StreamwellError);
    expect(error.name).toBe("ConfigError");
    expect(error.problems).toHaveLength(5);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^STREAMWELL_FOO: unknown setting/),
        `STREAMWELL_HTTP_PORT (httpPort): ${PORT_MESSAGE}`,
        `rtmpPort: ${PORT_MESSAGE}`,
        'srtPorts: must look like "9000-9199"',
        `rtmpsCert: ${PAIR_MESSAGE}`,
      ]),
    );
    for (const problem of error.problems) expect(error.message).toContain(`  - ${problem}`);
    expect(error.message.startsWith("invalid configuration:\n")).toBe(true);
  });

  it("lists every problem at once when all come from the environment", () => {
    const error = configError({
      STREAMWELL_HTTP_PORT: "http",
      STREAMWELL_FOO: "1",
      STREAMWELL_SRT_PORTS: "9000:9199",
      STREAMWELL_RTMPS_CERT: "/c.pem",
    });
    expect(error.problems).toHaveLength(4);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^STREAMWELL_FOO: unknown setting/),
        `STREAMWELL_HTTP_PORT (httpPort): ${PORT_MESSAGE}`,
        'STREAMWELL_SRT_PORTS (srtPorts): must look like "9000-9199"',
        `STREAMWELL_RTMPS_CERT (rtmpsCert): ${PAIR_MESSAGE}`,
      ]),
    );
    for (const name of [
      "STREAMWELL_FOO",
      "STREAMWELL_HTTP_PORT",
      "STREAMWELL_SRT_PORTS",
      "STREAMWELL_RTMPS_CERT",
    ]) {
      expect(error.message).toContain(name);
    }
  });

  it("reports rtmpsKey without rtmpsCert too", () => {
    const error = configError({ STREAMWELL_RTMPS_KEY: "/k.pem" });
    expect(error.problems).toEqual([`rtmpsCert: ${PAIR_MESSAGE}`]);
  });
});

describe("secrets in ConfigError", () => {
  function expectNoSecret(error: ConfigError, secret: string): void {
    expect(error.message).not.toContain(secret);
    expect(String(error)).not.toContain(secret);
    expect(JSON.stringify(error.problems)).not.toContain(secret);
  }

  it("does not echo a too-short STREAMWELL_ADMIN_PASSWORD", () => {
    const secret = "Zq7#xk";
    const error = configError({ STREAMWELL_ADMIN_PASSWORD: secret });
    expect(error.problems).toEqual([
      "STREAMWELL_ADMIN_PASSWORD (adminPassword): must be at least 8 characters",
    ]);
    expectNoSecret(error, secret);
  });

  it("refuses a mesh without a secret key, and two ways to give one", () => {
    expect(configError({ STREAMWELL_NATS_URL: "nats://a:4222" }).problems).toEqual([
      "secretKey: with natsUrl (a mesh) every node must be given the same secret key in STREAMWELL_SECRET_KEY or STREAMWELL_SECRET_KEY_FILE (make one with: openssl rand -base64 32)",
    ]);
    const both = configError({ STREAMWELL_SECRET_KEY: TEST_KEY, STREAMWELL_SECRET_KEY_FILE: "/k" });
    expect(both.problems).toEqual([
      "STREAMWELL_SECRET_KEY (secretKey): secretKey and secretKeyFile are two ways to give one key: set only one",
    ]);
    expectNoSecret(both, TEST_KEY);
  });

  it("takes several NATS URLs and does not echo a bad one, which may hold a password", () => {
    const urls = "nats://u:pw-1@a:4222, tls://b:4222";
    expect(
      loadConfig({
        STREAMWELL_NATS_URL: urls,
        STREAMWELL_SECRET_KEY: TEST_KEY,
        STREAMWELL_MESH_SECRET: MESH_SECRET,
      }).natsUrl,
    ).toBe(urls);
    const error = configError({
      STREAMWELL_NATS_URL: "nats://u:pw-Zq7x@a:4222,ftp://b",
      STREAMWELL_MESH_SECRET: MESH_SECRET,
    });
    expect(error.problems).toHaveLength(1);
    expectNoSecret(error, "pw-Zq7x");
  });

  it("does not echo a too-long admin password or an empty NATS token", () => {
    const secret = `Zq7#${"x".repeat(300)}`;
    const error = configError({ STREAMWELL_ADMIN_PASSWORD: secret, STREAMWELL_NATS_TOKEN: "" });
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain("STREAMWELL_ADMIN_PASSWORD");
    expect(error.message).toContain("STREAMWELL_NATS_TOKEN");
    expectNoSecret(error, "Zq7#xxxx");
  });

  it("does not echo a too-short admin password from the file", () => {
    const secret = "Pw-7q!";
    const path = file("streamwell.yaml", `adminPassword: "${secret}"\n`);
    const error = configError({ STREAMWELL_CONFIG: path });
    expect(error.problems).toEqual(["adminPassword: must be at least 8 characters"]);
    expectNoSecret(error, secret);
  });

  it("does not echo a secret from an invalid YAML file", () => {
    const secret = "hunter2-hunter2-hunter2";
    const path = file("bad.yaml", `adminPassword: ${secret}: more\n`);
    const error = configError({ STREAMWELL_CONFIG: path });
    expectNoSecret(error, "hunter2");
  });

  it("does not echo a secret from an invalid JSON file", () => {
    // A single-quoted string is a plausible mistake in a hand-written JSON file.
    const secret = "hunter2-hunter2-hunter2";
    const path = file("bad.json", `{"adminPassword": '${secret}'}`);
    const error = configError({ STREAMWELL_CONFIG: path });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain("is not valid JSON");
    expectNoSecret(error, "hunter2");
  });
});

describe("the mesh secret", () => {
  const nats = { STREAMWELL_NATS_URL: "nats://127.0.0.1:4222", STREAMWELL_SECRET_KEY: TEST_KEY };

  it("is required with NATS, unless the mesh is declared insecure", () => {
    const error = configError(nats);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(
      /^meshSecret: a mesh needs STREAMWELL_MESH_SECRET .*STREAMWELL_MESH_INSECURE=true/,
    );
    expect(loadConfig({ ...nats, STREAMWELL_MESH_INSECURE: "true" }).meshInsecure).toBe(true);
    expect(loadConfig({ ...nats, STREAMWELL_MESH_SECRET: MESH_SECRET }).meshSecret).toBe(MESH_SECRET);
    expect(loadConfig({}).meshSecret).toBeUndefined();
  });

  it("is at least 32 characters, and a short one is not echoed", () => {
    const error = configError({ ...nats, STREAMWELL_MESH_SECRET: "short-Zq7x" });
    expect(error.problems).toEqual([
      "STREAMWELL_MESH_SECRET (meshSecret): must be at least 32 characters (make one with: openssl rand -base64 32)",
    ]);
    expect(error.message).not.toContain("short-Zq7x");
  });

  it("takes STREAMWELL_MESH_INSECURE as true or false only", () => {
    expect(configError({ ...nats, STREAMWELL_MESH_INSECURE: "yes" }).message).toContain(
      "STREAMWELL_MESH_INSECURE",
    );
    expect(configError({ ...nats, STREAMWELL_MESH_INSECURE: "false" }).message).toContain(
      "STREAMWELL_MESH_SECRET",
    );
  });

  it("wants a NATS client certificate and its key together", () => {
    const error = configError({ STREAMWELL_NATS_TLS_CERT: "/etc/streamwell/node.pem" });
    expect(error.problems).toEqual([
      "STREAMWELL_NATS_TLS_CERT (natsTlsCert): natsTlsCert and natsTlsKey go together: set both or neither",
    ]);
  });
});
