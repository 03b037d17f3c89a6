// The OpenAPI 3.1 document, generated from the route table and the very zod schemas the
// actions validate with (JSON Schema 2020-12 is OpenAPI 3.1's schema dialect).
import { z } from "zod";
import type { DeclaredAction } from "../action.js";
import { type ActionResponse, RESPONSES } from "./responses.js";
import type { RestRoute } from "./routes.js";

type JsonSchema = { [key: string]: unknown };
export type ActionLookup = (action: string) => DeclaredAction | undefined;

const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        fields: { type: "object", additionalProperties: { type: "string" } },
      },
    },
  },
};

/** A picture as the body (PUT /channels/:id/slate). */
const IMAGE_BODY = {
  required: true,
  description: "A PNG or JPEG picture, at most 2 MiB",
  content: {
    "image/png": { schema: { type: "string", contentMediaType: "image/png" } },
    "image/jpeg": { schema: { type: "string", contentMediaType: "image/jpeg" } },
  },
};

function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1] as string);
}

/** Removes path parameters from a body schema (objects, and each branch of a union). */
function withoutParams(schema: JsonSchema, params: readonly string[]): JsonSchema {
  const branches = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (branches)
    return { ...schema, [schema.oneOf ? "oneOf" : "anyOf"]: branches.map((b) => withoutParams(b, params)) };
  const properties = { ...(schema.properties as Record<string, unknown> | undefined) };
  for (const param of params) delete properties[param];
  const required = (schema.required as string[] | undefined)?.filter((name) => !params.includes(name));
  return { ...schema, properties, ...(required ? { required } : {}) };
}

function hasProperties(schema: JsonSchema): boolean {
  return Boolean(schema.oneOf ?? schema.anyOf) || Object.keys((schema.properties as object) ?? {}).length > 0;
}

/** The success answer: its status and schema. Every routed action has one (services/api/responses.ts). */
function success(action: string, response: ActionResponse | undefined) {
  if (!response)
    throw new Error(`OpenAPI: action ${action} has no declared response (services/api/responses.ts)`);
  if (!response.schema) return { [response.status]: { description: "No Content" } };
  const schema = z.toJSONSchema(response.schema, { io: "output", unrepresentable: "any" }) as JsonSchema;
  delete schema.$schema;
  return { [response.status]: { description: "Success", content: { "application/json": { schema } } } };
}

function operation(route: RestRoute, definition: DeclaredAction) {
  const params = pathParams(route.path);
  const input = z.toJSONSchema(definition.schema(), { io: "input", unrepresentable: "any" }) as JsonSchema;
  delete input.$schema;
  const body = withoutParams(input, params);
  const sendsBody = route.method !== "GET" && route.method !== "DELETE" && hasProperties(body);
  return {
    operationId: route.action.replace(/^streamwell\./, "").replace(/\./g, "_"),
    summary: definition.summary,
    tags: [route.tag],
    security: definition.access === "public" ? [] : [{ bearer: [] }, { cookie: [] }],
    parameters: params.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
    ...(route.image ? { requestBody: IMAGE_BODY } : {}),
    ...(sendsBody && !route.image
      ? { requestBody: { required: true, content: { "application/json": { schema: body } } } }
      : {}),
    responses: {
      ...success(route.action, RESPONSES[route.action]),
      default: {
        description: "Error",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    },
  };
}

export function openApiDocument(routes: readonly RestRoute[], lookup: ActionLookup, version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const definition = lookup(route.action);
    if (!definition) throw new Error(`OpenAPI: action ${route.action} is not served by this node`);
    const path = `/api/v1${route.path.replace(/:([A-Za-z]+)/g, "{$1}")}`;
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route, definition) };
  }
  return {
    openapi: "3.1.0",
    info: { title: "Streamwell mesh", version },
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        cookie: { type: "apiKey", in: "cookie", name: "streamwell_session" },
      },
    },
  };
}
