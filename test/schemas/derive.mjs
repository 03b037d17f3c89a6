#!/usr/bin/env node
// Derives the strict JSON schemas test/unit/deploy-files.test.ts validates the Kubernetes manifests
// with, from the published sources named in README.md beside this file (run again to update):
//   node test/schemas/derive.mjs kubernetes <swagger.json> <out dir>          # the kinds in KINDS
//   node test/schemas/derive.mjs crd <CustomResourceDefinition .yaml> <out file>
// "Strict" as kubeconform's standalone-strict schemas: an object with listed properties accepts no
// other (a typo in a field name fails), apiVersion and kind must be the resource's. Descriptions,
// formats and x-kubernetes-* annotations are dropped (they validate nothing); int-or-string and
// quantity accept a string or a number, as the API server does.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const KINDS = [
  "io.k8s.api.apps.v1.StatefulSet",
  "io.k8s.api.core.v1.Service",
  "io.k8s.api.core.v1.ConfigMap",
  "io.k8s.api.core.v1.Secret",
];
const STRING_OR_NUMBER = {
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { type: ["string", "integer"] },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { type: ["string", "number"] },
};

function strict(node) {
  if (Array.isArray(node)) return node.map(strict);
  if (node === null || typeof node !== "object") return node;
  if (node["x-kubernetes-int-or-string"]) return { type: ["string", "integer"] };
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "description" || key === "format" || key.startsWith("x-kubernetes-")) continue;
    out[key] = key === "properties" ? mapValues(value, strict) : strict(value);
  }
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !node["x-kubernetes-preserve-unknown-fields"]
  )
    out.additionalProperties = false;
  return out;
}

const mapValues = (object, f) => Object.fromEntries(Object.entries(object).map(([k, v]) => [k, f(v)]));

function pinKind(schema, apiVersion, kind) {
  schema.properties.apiVersion = { type: "string", enum: [apiVersion] };
  schema.properties.kind = { type: "string", enum: [kind] };
  schema.required = [...new Set([...(schema.required ?? []), "apiVersion", "kind"])];
  return schema;
}

function kubernetes(swaggerFile, outDir) {
  const { definitions } = JSON.parse(readFileSync(swaggerFile, "utf8"));
  for (const name of KINDS) {
    const needed = new Map();
    const visit = (ref) => {
      if (needed.has(ref)) return;
      needed.set(ref, STRING_OR_NUMBER[ref] ?? strict(definitions[ref]));
      JSON.stringify(definitions[ref]).replace(/"#\/definitions\/([^"]+)"/g, (_, next) => visit(next));
    };
    visit(name);
    const [{ group, version, kind }] = definitions[name]["x-kubernetes-group-version-kind"];
    const apiVersion = group ? `${group}/${version}` : version;
    const root = pinKind(structuredClone(needed.get(name)), apiVersion, kind);
    needed.delete(name);
    const schema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      ...root,
      definitions: Object.fromEntries(needed),
    };
    const file = `${kind.toLowerCase()}-${group ? `${group.split(".")[0]}-` : ""}${version}.json`;
    writeFileSync(join(outDir, file), `${JSON.stringify(schema)}\n`);
  }
}

function crd(crdFile, outFile) {
  const doc = parse(readFileSync(crdFile, "utf8"));
  const served = doc.spec.versions.find((v) => v.storage);
  const schema = pinKind(
    strict(served.schema.openAPIV3Schema),
    `${doc.spec.group}/${served.name}`,
    doc.spec.names.kind,
  );
  writeFileSync(
    outFile,
    `${JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", ...schema })}\n`,
  );
}

const [what, source, out] = process.argv.slice(2);
if (what === "kubernetes" && source && out) kubernetes(source, out);
else if (what === "crd" && source && out) crd(source, out);
else {
  process.stderr.write("usage: derive.mjs kubernetes <swagger.json> <out dir> | crd <crd.yaml> <out file>\n");
  process.exit(2);
}
