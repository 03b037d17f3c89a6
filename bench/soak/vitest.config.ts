// The soak runs under vitest (it uses the fault suite's lab from test/support/netns/), alone:
// `npm run bench -- soak` starts it with this config; `npm test` never includes it.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["bench/soak/*.test.ts"],
    hookTimeout: 120_000,
    globalSetup: ["./test/support/global-setup.ts"],
  },
});
