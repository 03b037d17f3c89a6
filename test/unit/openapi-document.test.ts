// The OpenAPI document (built as scripts/web-types.mjs builds it, without a node): every route of
// the route table is in it with one typed success answer, a JSON schema or 204 No Content, never
// a generic 2XX; the web UI's generated types are only as good as these.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { DeclaredAction } from "../../services/action.js";
import { openApiDocument } from "../../services/api/openapi.js";
import { offlineOpenApiDocument } from "../../services/api/openapi-offline.js";
import { API_ROUTES } from "../../services/api/routes.js";

interface Answer {
  readonly description: string;
  readonly content?: { readonly "application/json"?: { readonly schema?: Record<string, unknown> } };
}

const document = offlineOpenApiDocument("test");
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({
    name: `${method.toUpperCase()} ${path}`,
    responses: (operation as { responses: Record<string, Answer> }).responses,
  })),
);

describe("the OpenAPI document", () => {
  it("holds every route of the route table", () => {
    expect(operations.map((operation) => operation.name).sort()).toEqual(
      API_ROUTES.map(
        (route) => `${route.method} /api/v1${route.path.replace(/:([A-Za-z]+)/g, "{$1}")}`,
      ).sort(),
    );
  });

  it("gives every route one typed success answer: a JSON schema with a type, or 204", () => {
    const untyped = operations.flatMap(({ name, responses }) => {
      const successes = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status));
      const other = Object.keys(responses).filter(
        (status) => status !== "default" && !/^2\d\d$/.test(status),
      );
      if (successes.length !== 1 || other.length > 0)
        return [`${name}: ${Object.keys(responses).join(", ")}`];
      const [status, answer] = successes[0] as [string, Answer];
      if (status === "204") return answer.content ? [`${name}: 204 with a body`] : [];
      const schema = answer.content?.["application/json"]?.schema ?? {};
      return "type" in schema || "anyOf" in schema || "oneOf" in schema ? [] : [`${name}: ${status} untyped`];
    });
    expect(untyped).toEqual([]);
  });

  it("takes the slate picture as a PNG or JPEG body, not JSON", () => {
    const put = (document.paths as Record<string, Record<string, { requestBody?: { content: object } }>>)[
      "/api/v1/channels/{id}/slate"
    ]?.put;
    expect(Object.keys(put?.requestBody?.content ?? {})).toEqual(["image/png", "image/jpeg"]);
  });

  it("refuses to build when a routed action declares no response", () => {
    const served: DeclaredAction = {
      access: "user",
      summary: "An action the responses table does not list",
      schema: () => z.object({}),
      handler: async () => ({}),
    };
    const build = () =>
      openApiDocument(
        [{ method: "GET", path: "/undeclared", action: "streamwell.nothing.here", tag: "x" }],
        () => served,
        "test",
      );
    expect(build).toThrow(/streamwell\.nothing\.here has no declared response/);
  });
});
