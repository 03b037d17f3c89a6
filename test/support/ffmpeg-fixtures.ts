// Stderr captured from this machine's ffmpeg 5.1 against real peers by test/fixtures/ffmpeg/capture.sh;
// cases.tsv holds each case's exit code. For the exit classifiers' unit tests.
import { readFileSync } from "node:fs";

const FIXTURES = new URL("../fixtures/ffmpeg/", import.meta.url);

export const CAPTURED_EXITS = new Map(
  readFileSync(new URL("cases.tsv", FIXTURES), "utf8")
    .trim()
    .split("\n")
    .map((line) => line.split("\t"))
    .map(([name, code]) => [name as string, Number(code)]),
);

export function captured(name: string): { exitCode: number; stderrLines: string[] } {
  const exitCode = CAPTURED_EXITS.get(name);
  if (exitCode === undefined) throw new Error(`no exit code for ${name} in cases.tsv`);
  const stderrLines = readFileSync(new URL(`${name}.stderr.txt`, FIXTURES), "utf8").split("\n");
  return { exitCode, stderrLines };
}
