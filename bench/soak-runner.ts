// `npm run bench -- soak [--minutes 30] [--restreams 50] [--fault-every 120]`: the soak is a vitest
// file (it uses the fault suite's lab in test/support/netns/, which the build does not compile), so
// this starts vitest on it with its own config and passes the options as environment variables.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { ROOT } from "./support/results.js";

export function runSoak(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: "string", default: "30" },
      restreams: { type: "string", default: "50" },
      "fault-every": { type: "string", default: "120" },
    },
  });
  for (const [name, value] of Object.entries(values)) {
    if (!/^[1-9]\d*$/.test(value)) throw new Error(`--${name} takes a positive whole number, not "${value}"`);
  }
  const vitest = `${ROOT}node_modules/vitest/vitest.mjs`;
  const result = spawnSync(process.execPath, [vitest, "run", "--config", "bench/soak/vitest.config.ts"], {
    cwd: ROOT,
    stdio: "inherit",
    env: {
      ...process.env,
      SOAK_MINUTES: values.minutes,
      SOAK_RESTREAMS: values.restreams,
      SOAK_FAULT_EVERY_S: values["fault-every"],
    },
  });
  return result.status ?? 1;
}
