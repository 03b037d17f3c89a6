// Requests for the API fuzzer, generated from a running node's OpenAPI document: for every
// operation, bodies built from its JSON Schema and then broken (wrong types, missing and unknown
// fields, huge and deep JSON, odd unicode, control characters, bodies that are not objects or not
// JSON), path parameters that are garbage (`..`, `%00`, overlong, unicode) or valid ids of
// someone else's resources, sent as an admin, a user, nobody or a bogus token. Deterministic from
// the seed, so a failing run can be replayed.
import { prng, type Random } from "./rtmp-fuzz-cases.js";

export { prng };

type Schema = { [key: string]: unknown };

export type Caller = "admin" | "user" | "anonymous" | "bogus";

export interface FuzzRequest {
  readonly method: string;
  /** With the /api/v1 prefix and the path parameters filled in (already URL-encoded). */
  readonly path: string;
  /** The operation this came from: "POST /api/v1/channels". */
  readonly operation: string;
  readonly caller: Caller;
  /** What was done to it (for the failure report and the counts). */
  readonly shape: string;
  readonly body?: string;
  readonly contentType?: string;
}

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly body: Schema | null;
}

/** Ids to put in paths, by caller and resource (the first segment after /api/v1: "users", "channels", ...). */
export interface IdPools {
  readonly ids: (caller: Caller, resource: string) => readonly string[];
}

const int = (r: Random, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Random, items: readonly T[]): T => items[int(r, items.length)] as T;

/** Operations of an OpenAPI document (JSON bodies only). */
export function operationsOf(document: Schema): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, operation] of Object.entries(methods)) {
      const content = (operation.requestBody as Schema | undefined)?.content as Schema | undefined;
      const body = ((content?.["application/json"] as Schema | undefined)?.schema as Schema) ?? null;
      out.push({ method: method.toUpperCase(), path, body });
    }
  }
  return out;
}

export const ODD_STRINGS: readonly string[] = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff\ud800",
  "\u202eevil",
  "\ufeff",
  "\u200b\u200d",
  "e\u0301\u0301\u0301",
  "𝕏🦄💩",
  "\r\nX-Injected: 1",
  "\u001b[31mred",
  "\t\v\f\b",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  `$${"{"}jndi:ldap://127.0.0.1/a}`,
  "../../../../etc/passwd",
  "%00",
  "__proto__",
  "constructor",
  "null",
  "NaN",
  "1e309",
  "ｆｕｌｌｗｉｄｔｈ",
  "İı",
  "rtmp://user:pass@127.0.0.1:1/live?x=\u0000",
  "srt://127.0.0.1:1?passphrase=\u0000\u0001",
];

const ODD_SEGMENTS: readonly string[] = [
  "..",
  "%2e%2e",
  "%2E%2E%2F%2E%2E",
  "%00",
  "a%00b",
  "%2F",
  "..%2F..%2Fetc%2Fpasswd",
  "%FF%FE",
  "%C0%AE%C0%AE",
  "%F0%9F%92%A9",
  "%E2%80%AE",
  "%0D%0AX-Injected:%201",
  "__proto__",
  "constructor",
  "null",
  "0",
  "-1",
  "1e309",
  "%20",
  "x".repeat(5000),
  encodeURIComponent("片".repeat(50)),
];

const WRONG_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  -(2 ** 63),
  "",
  "x",
  [],
  [1, "a"],
  {},
  { a: 1 },
];

/** A value that satisfies `schema` as far as this cheap generator can tell. */
export function sample(schema: Schema, r: Random, depth = 0): unknown {
  const branches = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (branches) return sample(pick(r, branches), r, depth);
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return pick(r, schema.enum);
  const type = Array.isArray(schema.type) ? pick(r, schema.type as string[]) : schema.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      for (const [name, property] of Object.entries(properties)) {
        if (required.has(name) || r() < 0.5) out[name] = sample(property, r, depth + 1);
      }
      return out;
    }
    case "array":
      return depth > 4 ? [] : [sample((schema.items ?? {}) as Schema, r, depth + 1)];
    case "string":
      return sampleString(schema, r);
    case "integer":
    case "number": {
      const min = typeof schema.minimum === "number" ? schema.minimum : 0;
      const max = typeof schema.maximum === "number" ? schema.maximum : min + 100;
      return Math.floor(min + r() * (Math.min(max, min + 1000) - min));
    }
    case "boolean":
      return r() < 0.5;
    case "null":
      return null;
    default:
      return "x";
  }
}

function sampleString(schema: Schema, r: Random): string {
  // Far in the future: a schedule the fuzzer sets never falls due while it runs.
  if (schema.format === "date-time") return "2099-01-01T00:00:00.000Z";
  if (schema.format === "uri") return pick(r, ["rtmp://127.0.0.1/live", "srt://127.0.0.1:9999"]);
  const min = typeof schema.minLength === "number" ? schema.minLength : 1;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : 32;
  const length = Math.min(max, Math.max(min, 8 + int(r, 8)));
  return `fz${"abcdefghij".repeat(10)}`.slice(0, Math.max(length, 1));
}

/** JSON nested `depth` levels deep (as text: JSON.stringify would recurse). */
function deepJson(r: Random, depth: number): string {
  return r() < 0.5
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** A property path to break: a top-level field of the body, if it has one. */
function someField(body: Record<string, unknown>, r: Random): string | null {
  const names = Object.keys(body);
  return names.length === 0 ? null : pick(r, names);
}

type Shape = (r: Random, valid: unknown) => { body: string; contentType?: string };

const json = (value: unknown): { body: string } => ({ body: JSON.stringify(value) });
const asObject = (valid: unknown): Record<string, unknown> =>
  typeof valid === "object" && valid !== null && !Array.isArray(valid) ? { ...(valid as object) } : {};
const withField = (valid: unknown, name: string, value: unknown) => ({ ...asObject(valid), [name]: value });

const SHAPES: Record<string, Shape> = {
  valid: (_r, valid) => json(valid),
  wrongType: (r, valid) => {
    const body = asObject(valid);
    const field = someField(body, r) ?? "name";
    return json(withField(body, field, pick(r, WRONG_VALUES)));
  },
  missingField: (r, valid) => {
    const body = asObject(valid);
    const field = someField(body, r);
    if (field) delete body[field];
    return json(body);
  },
  unknownField: (r, valid) =>
    json(withField(valid, pick(r, ["zzUnknown", "id", "ownerId", "role", "isAdmin", "__proto__"]), "x")),
  protoPollution: () => ({ body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' }),
  hugeString: (r, valid) => {
    const body = asObject(valid);
    // Under and over the 64 KiB body limit.
    return json(withField(body, someField(body, r) ?? "name", "A".repeat(pick(r, [10_000, 60_000, 70_000]))));
  },
  hugeArray: (r, valid) => {
    const body = asObject(valid);
    return json(
      withField(
        body,
        someField(body, r) ?? "name",
        Array.from({ length: 5_000 }, (_, i) => i),
      ),
    );
  },
  manyFields: () => json(Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`f${i}`, i]))),
  deepJson: (r, valid) => {
    const body = asObject(valid);
    const field = someField(body, r) ?? "name";
    const inner = deepJson(r, pick(r, [100, 1_000, 10_000]));
    const rest = JSON.stringify(withField(body, field, 0)).slice(1, -1);
    return { body: `{${rest.replace(`"${field}":0`, `"${field}":${inner}`)}}` };
  },
  oddUnicode: (r, valid) => {
    const body = asObject(valid);
    return json(withField(body, someField(body, r) ?? "name", pick(r, ODD_STRINGS)));
  },
  controlChars: (r, valid) => {
    const body = asObject(valid);
    const chars = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join("");
    return json(withField(body, someField(body, r) ?? "name", `x${chars}\u007f\u0085\u2028\u2029`));
  },
  notAnObject: (r) => ({ body: pick(r, ["null", "[]", '"text"', "123", "true", "[{}]"]) }),
  brokenJson: (r) => ({
    body: pick(r, ["{", '{"a":', "{'a':1}", "{a:1}", '{"a":1,}', "\u0000", "", "[".repeat(50)]),
  }),
  wrongContentType: (_r, valid) => ({ body: JSON.stringify(valid), contentType: "text/plain" }),
  duplicateKeys: (r, valid) => {
    const body = asObject(valid);
    const field = someField(body, r) ?? "name";
    const text = JSON.stringify(body);
    return {
      body: text === "{}" ? `{"${field}":1,"${field}":2}` : `${text.slice(0, -1)},"${field}":{"x":[]}}`,
    };
  },
};

export const SHAPE_NAMES: readonly string[] = Object.keys(SHAPES);

/** The resource a path acts on: the first segment after /api/v1. */
export function resourceOf(path: string): string {
  return path.split("/")[3] ?? "";
}

function fillPath(
  operation: Operation,
  caller: Caller,
  pools: IdPools,
  r: Random,
): { path: string; odd: boolean } {
  let odd = false;
  const path = operation.path.replace(/\{([A-Za-z]+)\}/g, (_, param: string) => {
    const resource = param === "channelId" ? "channels" : resourceOf(operation.path);
    const ids = pools.ids(caller, resource);
    if (ids.length > 0 && r() < 0.6) return encodeURIComponent(pick(r, ids));
    odd = true;
    return pick(r, ODD_SEGMENTS);
  });
  return { path, odd };
}

const CALLERS: readonly Caller[] = ["admin", "admin", "user", "user", "anonymous", "bogus"];

/** `perOperation` requests for each operation. */
export function fuzzRequests(
  operations: readonly Operation[],
  pools: IdPools,
  perOperation: number,
  r: Random,
): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  for (const operation of operations) {
    for (let i = 0; i < perOperation; i++) {
      const caller = pick(r, CALLERS);
      const { path, odd } = fillPath(operation, caller, pools, r);
      const base = {
        method: operation.method,
        path,
        operation: `${operation.method} ${operation.path}`,
        caller,
      };
      const sendsBody = operation.body !== null || (operation.method !== "GET" && r() < 0.3);
      if (!sendsBody) {
        out.push({ ...base, shape: odd ? "oddPath" : "noBody" });
        continue;
      }
      const shape = pick(r, SHAPE_NAMES);
      const valid = sample(operation.body ?? { type: "object", properties: { zz: { type: "string" } } }, r);
      const made = (SHAPES[shape] as Shape)(r, valid);
      out.push({
        ...base,
        shape: odd ? `oddPath+${shape}` : shape,
        body: made.body,
        contentType: made.contentType,
      });
    }
  }
  return out;
}
