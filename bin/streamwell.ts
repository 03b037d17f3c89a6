#!/usr/bin/env node
import { randomBytes } from "node:crypto";
// Starts one Streamwell node: config, logger, store, runtime, broker. `npm start` runs this.
import { mkdirSync, readFileSync } from "node:fs";
import { ConfigError, loadConfig } from "../node/config/load.js";
import type { Config } from "../node/config/schema.js";
import { createLogger } from "../node/kit/log.js";
import { natsEndpoint } from "../node/mesh/nats-endpoint.js";
import { createRuntime, openStore } from "../node/runtime.js";
import { createBroker } from "../services/broker.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`streamwell: ${error.message}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const log = createLogger(config.logLevel, { node: config.nodeId });
  mkdirSync(config.dataDir, { recursive: true });
  const nats = config.natsUrl ? natsEndpoint(config.natsUrl, config.natsToken).redacted : undefined;
  const store = await openStore(config, log);
  const runtime = createRuntime(config, log, store);

  const password = config.adminPassword ?? randomBytes(12).toString("base64url");
  if (await runtime.catalog.users.ensureAdmin(password)) {
    if (config.adminPassword) log.info("created user admin with STREAMWELL_ADMIN_PASSWORD");
    else
      process.stdout.write(
        `\nCreated user "admin" with password: ${password}\n(shown once; change it in the UI or with PATCH /api/v1/users/:id)\n\n`,
      );
  }

  const broker = createBroker(runtime, { version });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    await broker.stop();
    await store.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  log.info(
    { version, nodeId: config.nodeId, dataDir: config.dataDir, namespace: config.namespace, nats },
    "starting Streamwell node",
  );
  await broker.start();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `streamwell: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
