// Loads the configuration once at start: defaults, then the file named by STREAMWELL_CONFIG
// (YAML or JSON), then STREAMWELL_* environment variables. Every problem is reported at once,
// by name, in one ConfigError; the result is frozen and passed down, never re-read.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { StreamwellError } from "../defs/errors.js";
import { type Config, type ConfigKey, configSchema } from "./schema.js";

const PREFIX = "STREAMWELL_";
const CONFIG_FILE_VARIABLE = `${PREFIX}CONFIG`;

export class ConfigError extends StreamwellError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export function envName(key: string): string {
  return PREFIX + key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

const KEYS = Object.keys(configSchema.shape) as ConfigKey[];
const KEY_BY_ENV = new Map(KEYS.map((key) => [envName(key), key]));

function readFile(path: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    problems.push(`${CONFIG_FILE_VARIABLE}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
    return {};
  }
  const json = path.endsWith(".json");
  let parsed: unknown;
  try {
    parsed = json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    // Parser messages quote the file's text, which may hold a secret: give the line only.
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    problems.push(
      `${CONFIG_FILE_VARIABLE}: ${path} is not valid ${json ? "JSON" : "YAML"}${line ? ` (line ${line})` : ""}`,
    );
    return {};
  }
  if (parsed === null || parsed === undefined) return {}; // an empty file, or only comments
  if (typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  problems.push(`${CONFIG_FILE_VARIABLE}: ${path} must hold a mapping of keys to values`);
  return {};
}

function readEnvironment(env: NodeJS.ProcessEnv, problems: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || name === CONFIG_FILE_VARIABLE || value === undefined) continue;
    const key = KEY_BY_ENV.get(name);
    if (!key) problems.push(`${name}: unknown setting (known: ${[...KEY_BY_ENV.keys()].join(", ")})`);
    else if (value === "") problems.push(`${name}: set but empty (unset it to use the default)`);
    else values[key] = value;
  }
  return values;
}

function describeIssue(issue: z.core.$ZodIssue, fromEnv: ReadonlySet<string>): string {
  const key = issue.path.map(String).join(".") || "config";
  const where = fromEnv.has(key) ? `${envName(key)} (${key})` : key;
  const message =
    issue.code === "unrecognized_keys" ? `unknown setting(s) ${issue.keys.join(", ")}` : issue.message;
  return `${where}: ${message}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const filePath = env[CONFIG_FILE_VARIABLE];
  const fromFile = filePath ? readFile(filePath, problems) : {};
  const fromEnv = readEnvironment(env, problems);
  const result = configSchema.safeParse({ ...fromFile, ...fromEnv });
  if (!result.success) {
    const envKeys = new Set(Object.keys(fromEnv));
    problems.push(...result.error.issues.map((issue) => describeIssue(issue, envKeys)));
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return Object.freeze({ ...result.data, srtPorts: Object.freeze(result.data.srtPorts) });
}
