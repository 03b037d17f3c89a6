#!/usr/bin/env node
// Set-up that `npm start` and `npm test` run first, so a clean clone needs no other step.
// Plain JavaScript with Node built-ins only: it runs before node_modules exists.
//   node scripts/setup.mjs start|mesh|test|build|types   (build: step 3 only, the test runner's global
//   set-up; types: the service build and the web types only, what `npm run typecheck` needs)
// 1. System packages (Debian): installed with apt-get when root, else it stops with the command to run.
// 2. npm dependencies: `npm ci` when node_modules is missing or older than package-lock.json.
// 3. Build: `tsc -p tsconfig.build.json` when a source file is newer than the last build, and the
//    Remote Playback listener (node/ffmpeg/srt-fanout.c, linked against the libsrt ffmpeg uses) into
//    dist/bin/srt-fanout with the C compiler, then the
//    web UI's API types from the OpenAPI document (scripts/web-types.mjs, after `npm ci` since it
//    needs openapi-typescript), then the web UI (`vite build` of web/ into dist/web) when a file
//    under web/ is newer than its last build.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

// What each command needs at run time. The media plane needs ffmpeg (which brings libsrt), and gcc
// to build the Remote Playback listener against that libsrt; the tests also run the third-party
// peers (nginx-rtmp, nats-server, Prometheus, SRT tools, GStreamer, Chromium).
const RUNTIME_PACKAGES = ["ffmpeg", "gcc"];
// `npm run mesh` also runs a local nats-server cluster.
const MESH_PACKAGES = [...RUNTIME_PACKAGES, "nats-server"];
const TEST_PACKAGES = [
  ...RUNTIME_PACKAGES,
  "nats-server",
  "nginx",
  "libnginx-mod-rtmp",
  "prometheus",
  "srt-tools",
  "stunnel4",
  "gstreamer1.0-tools",
  "gstreamer1.0-plugins-good",
  "gstreamer1.0-plugins-bad",
  "gstreamer1.0-plugins-ugly",
  "gstreamer1.0-libav",
  "chromium",
];

function fail(message) {
  process.stderr.write(`setup: ${message}\n`);
  process.exit(1);
}

function missingPackages(names) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format, not JavaScript
  const result = spawnSync("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\\n", ...names], {
    encoding: "utf8",
  });
  if (result.error) fail("dpkg-query not found: this set-up supports Debian and its derivatives.");
  const installed = new Set(
    result.stdout
      .split("\n")
      .filter((line) => line.endsWith(" installed"))
      .map((line) => line.split(" ")[0]),
  );
  return names.filter((name) => !installed.has(name));
}

function ensurePackages(names) {
  const missing = missingPackages(names);
  if (missing.length === 0) return;
  const install = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
  if (process.getuid?.() !== 0) {
    fail(`missing Debian packages: ${missing.join(", ")}.\nRun: sudo apt-get update && sudo ${install}`);
  }
  process.stderr.write(`setup: installing ${missing.join(", ")}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { stdio: "inherit", env });
  execFileSync("apt-get", install.split(" ").slice(1), { stdio: "inherit", env });
  const still = missingPackages(names);
  if (still.length > 0) fail(`apt-get did not install: ${still.join(", ")}`);
}

function fileHash(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function ensureDependencies() {
  const marker = join(root, "node_modules", ".streamwell-lock-sha256");
  const lockHash = fileHash(join(root, "package-lock.json"));
  if (existsSync(marker) && readFileSync(marker, "utf8") === lockHash) return;
  process.stderr.write("setup: installing npm dependencies (npm ci)\n");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  writeFileSync(marker, lockHash);
}

const SOURCE_DIRS = ["bench", "bin", "node", "services"];

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

function ensureBuild() {
  const stamp = join(root, "dist", ".build-stamp");
  const inputs = [
    ...SOURCE_DIRS.map((dir) => newestMtime(join(root, dir))),
    statSync(join(root, "tsconfig.json")).mtimeMs,
    statSync(join(root, "tsconfig.build.json")).mtimeMs,
    statSync(join(root, "package-lock.json")).mtimeMs,
  ];
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= Math.max(...inputs)) return;
  process.stderr.write("setup: building (tsc)\n");
  execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
  buildFanout();
  writeFileSync(stamp, new Date().toISOString());
}

/** The SRT listener that serves Remote Playback callers; Debian ships libsrt without a .so link or headers. */
function buildFanout() {
  mkdirSync(join(root, "dist", "bin"), { recursive: true });
  const args = ["-O2", "-Wall", "-Werror", "-o", join(root, "dist", "bin", "srt-fanout")];
  const source = join(root, "node", "ffmpeg", "srt-fanout.c");
  execFileSync("cc", [...args, source, "-l:libsrt-gnutls.so.1.5", "-lpthread"], {
    cwd: root,
    stdio: "inherit",
  });
}

/**
 * Rewrites web/src/api/openapi.gen.ts only when its text changes (it lives under web/); skipped when
 * it was made from this build (`npm test` asks three times: set-up, typecheck, the test runner).
 */
function ensureWebTypes() {
  const stamp = join(root, "dist", ".web-types-stamp");
  const target = join(root, "web", "src", "api", "openapi.gen.ts");
  const inputs = ["dist/.build-stamp", "package.json", "scripts/web-types.mjs"].map((path) =>
    join(root, path),
  );
  const newest = Math.max(...inputs.map((path) => (existsSync(path) ? statSync(path).mtimeMs : Infinity)));
  if (existsSync(stamp) && existsSync(target) && statSync(stamp).mtimeMs >= newest) return;
  execFileSync(process.execPath, [join(root, "scripts", "web-types.mjs")], { cwd: root, stdio: "inherit" });
  writeFileSync(stamp, new Date().toISOString());
}

function ensureWebBuild() {
  const stamp = join(root, "dist", "web", ".build-stamp");
  const newest = Math.max(newestMtime(join(root, "web")), statSync(join(root, "package-lock.json")).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return;
  process.stderr.write("setup: building the web UI (vite)\n");
  execFileSync(
    join(root, "node_modules", ".bin", "vite"),
    ["build", "--config", join(root, "web", "vite.config.ts"), "--logLevel", "warn"],
    { cwd: root, stdio: "inherit" },
  );
  writeFileSync(stamp, new Date().toISOString());
}

const command = process.argv[2];
const PACKAGES = { start: RUNTIME_PACKAGES, mesh: MESH_PACKAGES, test: TEST_PACKAGES, build: [], types: [] };
if (!(command in PACKAGES)) fail("usage: node scripts/setup.mjs start|mesh|test|build|types");
if (command !== "build" && command !== "types") {
  ensurePackages(PACKAGES[command]);
  ensureDependencies();
}
ensureBuild();
ensureWebTypes();
if (command !== "types") ensureWebBuild();
