// The layers of node/ (docs/architecture.md, "Parts"), checked on every .ts file's imports:
// - no import cycle between folders of node/, so each folder can be read, tested and replaced
//   from the ones below it;
// - node/defs/, the shared vocabulary, imports nothing else of node/;
// - nothing in node/ imports services/ (the Moleculer edge sits on top of node/, never below).
// A folder is the first path segment below node/: node/ingest/rtmp and node/ingest/srt belong to
// ingest. A file directly in node/ (media-node.ts, runtime.ts) is a unit of its own.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");
const NODE = join(ROOT, "node");
const SERVICES = join(ROOT, "services");

interface Import {
  readonly from: string;
  /** Absolute path of the imported module (".js" as written). */
  readonly to: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Relative imports, re-exports and dynamic imports of every .ts file under node/. */
function nodeImports(): Import[] {
  return tsFiles(NODE).flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, "utf8"), true, true)
      .importedFiles.map((imported) => imported.fileName)
      .filter((name) => name.startsWith("."))
      .map((name) => ({ from: file, to: resolve(dirname(file), name) })),
  );
}

function isUnder(path: string, dir: string): boolean {
  return path.startsWith(dir + sep);
}

/** The folder of node/ a file belongs to, or (for a file directly in node/) the file itself. */
function unitOf(path: string): string {
  return relative(NODE, path).split(sep)[0] ?? path;
}

/** Folder -> folder edges, each with one import that makes it, for the failure message. */
function folderEdges(imports: readonly Import[]): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const { from, to } of imports) {
    if (!isUnder(to, NODE)) continue;
    const [a, b] = [unitOf(from), unitOf(to)];
    if (a === b) continue;
    const out = edges.get(a) ?? new Map<string, string>();
    if (!out.has(b)) out.set(b, `${relative(ROOT, from)} -> ${relative(ROOT, to)}`);
    edges.set(a, out);
  }
  return edges;
}

/** Strongly connected components with more than one folder (Tarjan): each is a cycle. */
function cycles(edges: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (stack.includes(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop() as string;
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** Each cycle with the imports that close it, one line per edge inside the component. */
function describeCycles(edges: Map<string, Map<string, string>>): string[] {
  return cycles(edges).map((component) => {
    const inside = component.flatMap((a) =>
      [...(edges.get(a) ?? new Map<string, string>())]
        .filter(([b]) => component.includes(b))
        .map(([b, example]) => `  ${a} -> ${b} (${example})`),
    );
    return [`cycle between ${component.join(", ")}:`, ...inside].join("\n");
  });
}

describe("the layers of node/", () => {
  const imports = nodeImports();

  it("reads the imports of every file (the check would pass vacuously otherwise)", () => {
    expect(tsFiles(NODE).length).toBeGreaterThan(100);
    expect(folderEdges(imports).size).toBeGreaterThan(10);
  });

  it("has no import cycle between folders of node/", () => {
    expect(describeCycles(folderEdges(imports))).toEqual([]);
  });

  it("keeps node/defs a leaf: it imports nothing else of node/", () => {
    const upward = imports
      .filter((i) => unitOf(i.from) === "defs" && isUnder(i.to, NODE) && unitOf(i.to) !== "defs")
      .map((i) => `${relative(ROOT, i.from)} -> ${relative(ROOT, i.to)}`);
    expect(upward).toEqual([]);
  });

  it("never imports services/ from node/", () => {
    const edge = imports
      .filter((i) => isUnder(i.to, SERVICES))
      .map((i) => `${relative(ROOT, i.from)} -> ${relative(ROOT, i.to)}`);
    expect(edge).toEqual([]);
  });
});
