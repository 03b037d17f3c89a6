// Integration tests run the built node (dist/), so the runner builds it first when stale.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync(process.execPath, [new URL("../../scripts/setup.mjs", import.meta.url).pathname, "build"], {
    stdio: "inherit",
  });
}
