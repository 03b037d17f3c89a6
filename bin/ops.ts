// `streamwell backup > file` and `streamwell restore < file`: the store of the node this
// environment configures (SQLite in STREAMWELL_DATA_DIR, or the mesh's JetStream KV with
// STREAMWELL_NATS_URL) as JSON, secrets still sealed (node/store/backup.ts). The output is
// the JSON alone; logs go to stderr. Exit 0 done, 1 refused or failed (the reason on stderr).
import { text } from "node:stream/consumers";
import { MIGRATIONS } from "../node/catalog/migrations.js";
import type { Config } from "../node/config/schema.js";
import { createLogger } from "../node/kit/log.js";
import { loadSealer } from "../node/kit/secret-key.js";
import { openRawStore } from "../node/runtime.js";
import { restoreBackup, takeBackup } from "../node/store/backup.js";

export async function runOperation(command: "backup" | "restore", config: Config): Promise<void> {
  const log = createLogger(config.logLevel, { node: config.nodeId }, "stderr");
  const { sealer } = loadSealer(config);
  const store = await openRawStore(config, log);
  try {
    if (command === "backup") {
      const backup = await takeBackup(store, sealer);
      process.stdout.write(`${JSON.stringify(backup)}\n`);
      process.stderr.write(
        `streamwell: backup of ${backup.records.length} records (key id ${backup.keyId})\n`,
      );
      return;
    }
    const input = await text(process.stdin);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new Error("the input is not JSON (expected the output of `streamwell backup`)");
    }
    const restored = await restoreBackup(store, sealer, parsed, MIGRATIONS);
    const migrated =
      restored.fromSchema < restored.schema
        ? `, migrated from schema version ${restored.fromSchema} to ${restored.schema}`
        : ` at schema version ${restored.schema}`;
    process.stderr.write(`streamwell: restored ${restored.records} records${migrated}\n`);
  } finally {
    await store.close();
  }
}
