// deploy/compose.yaml as data: parsed as Docker Compose does (YAML merge keys, `${VAR}`
// interpolation from the environment or .env), for the deploy tests and the local runner
// (compose-local.ts) that starts the same topology as processes.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  /** "HOST:CONTAINER[/udp]", "IP:HOST:CONTAINER", ranges "A-B:A-B/udp". */
  readonly ports?: readonly string[];
  /** Container ports other services reach, not published. */
  readonly expose?: readonly string[];
  /** "SOURCE:TARGET[:ro]": SOURCE a relative path (bind mount) or a named volume. */
  readonly volumes?: readonly string[];
  readonly secrets?: readonly string[];
  readonly depends_on?: unknown;
  readonly healthcheck?: { readonly test?: readonly string[] };
}

export interface ComposeFile {
  readonly name: string;
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly secrets?: Readonly<Record<string, { readonly file: string }>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

/** The file as YAML gives it, merge keys applied, nothing interpolated. */
export function parseComposeText(text: string): unknown {
  return parse(text, { merge: true });
}

export function readCompose(path: string, vars: Readonly<Record<string, string | undefined>>): ComposeFile {
  return interpolate(parseComposeText(readFileSync(path, "utf8")), vars) as ComposeFile;
}

export class InterpolationError extends Error {}

const VARIABLE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Compose's interpolation in every string: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$. */
export function interpolate(value: unknown, vars: Readonly<Record<string, string | undefined>>): unknown {
  if (typeof value === "string")
    return value.replace(VARIABLE, (match, braced, op, arg, bare) => {
      if (match === "$$") return "$";
      const name = (braced ?? bare) as string;
      const found = vars[name];
      const unset = found === undefined || (op?.startsWith(":") && found === "");
      if (!unset) return found as string;
      if (op?.endsWith("-")) return arg as string;
      if (op?.endsWith("?")) throw new InterpolationError(`${name}: ${arg || "required"}`);
      return "";
    });
  if (Array.isArray(value)) return value.map((item) => interpolate(item, vars));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, vars)]));
  return value;
}

/** Names of every variable the file interpolates (what .env must or may set). */
export function variablesOf(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1] ?? match[4];
    if (name) names.add(name);
  }
  return names;
}
