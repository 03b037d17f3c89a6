import { configDefaults, defineConfig } from "vitest/config";

// Two groups, one after the other. "parallel": files that use no fixed port, start no media and
// assert on no real-time window (pure unit tests, and API tests of one node or an in-process store),
// two at a time. "serial": everything that streams, cuts networks or times a fault, one file at a
// time as before (on 2 cores vitest would run every file one at a time anyway). schema-upgrade
// stays serial: it starts a NATS cluster and two nodes racing to migrate, and failed in CI once on
// a real bug that load would have hidden or faked.
const PARALLEL = [
  "test/unit/**/*.test.ts",
  "test/store/{schema,sqlite-store,sealed-store}.test.ts",
  ...[
    "actor-host",
    "api-tokens",
    "authorization",
    "backup-restore",
    "bad-input",
    "bulk-restreams",
    "chain-ends",
    "crud",
    "events",
    "external-client",
    "mesh-calls",
    "openapi-responses",
    "persistence",
    "two-brokers",
    "user-limits",
    "web-app",
    "web-writes",
  ].map((name) => `test/integration/${name}.test.ts`),
];

const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    globalSetup: ["./test/support/global-setup.ts"],
    reporters: ["default", "./test/support/closing-line-reporter.ts"],
    projects: [
      {
        test: {
          ...shared,
          name: "parallel",
          include: PARALLEL,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: "serial",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...PARALLEL],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
