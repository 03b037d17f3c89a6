// What every benchmark's JSON record shares: the machine it ran on, and the repository's JSON layout.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { toolVersions } from "./media.js";
import { round } from "./stats.js";

/** The repository (this file runs built, from dist/bench/support). */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export function machine(loadBefore: number[]) {
  const cores = cpus();
  const debian = existsSync("/etc/debian_version")
    ? readFileSync("/etc/debian_version", "utf8").trim()
    : null;
  return {
    cpu: cores[0]?.model ?? "unknown",
    cores: cores.length,
    memGiB: round(totalmem() / 2 ** 30, 1),
    kernel: release(),
    debian,
    node: process.version,
    ...toolVersions(),
    loadAverageBefore: loadBefore.map((l) => round(l)),
    loadAverageAfter: loadavg().map((l) => round(l)),
  };
}

/** The repository's formatter owns JSON layout (`npm run lint` checks bench/results too). */
export function formatJson(path: string): void {
  const biome = `${ROOT}node_modules/.bin/biome`;
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", path], { stdio: "ignore", timeout: 30_000 });
}
