#!/usr/bin/env node
// Starts one Streamwell node: config, logger, store, runtime, broker. `npm start` runs this.
// `streamwell backup` / `streamwell restore` work on the store this environment configures (bin/ops.ts).
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../node/config/load.js";
import type { Config } from "../node/config/schema.js";
import { createLogger } from "../node/kit/log.js";
import { natsEndpointOf } from "../node/mesh/nats-endpoint.js";
import { createRuntime, openStore } from "../node/runtime.js";
import { createBroker } from "../services/broker.js";
import { runOperation } from "./ops.js";

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
  const command = process.argv[2];
  if (command !== undefined && command !== "backup" && command !== "restore") {
    process.stderr.write(`streamwell: unknown command "${command}" (usage: streamwell [backup | restore])\n`);
    process.exit(2);
  }
  // The data dir holds the secret key, the database and the admin password file: the node's user only.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  if (command !== undefined) return runOperation(command, config);
  const log = createLogger(config.logLevel, { node: config.nodeId });
  const nats = natsEndpointOf(config)?.redacted;
  const opened = await openStore(config, log);
  const store = opened.store;
  const runtime = createRuntime(config, log, opened);
  await runtime.catalog.channels.reindex();

  const password = config.adminPassword ?? randomBytes(12).toString("base64url");
  if (await runtime.catalog.users.ensureAdmin(password)) {
    if (config.adminPassword) log.info("created user admin with STREAMWELL_ADMIN_PASSWORD");
    else {
      // Not on stdout: that goes to journald or a container log, readable by more than the admin.
      const file = join(config.dataDir, "admin-password");
      writeFileSync(file, `${password}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
      log.info(
        { file },
        "created user admin with a generated password, written to this file (read it, log in, change it, then delete the file)",
      );
    }
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
  const doing = process.argv[2] ?? "start";
  process.stderr.write(
    `streamwell: failed to ${doing}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
