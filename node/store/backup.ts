// `streamwell backup` and `streamwell restore` (bin/ops.ts): the store as one JSON document, read
// and written beneath the sealing layer, so stream keys and passphrases stay sealed in the file
// exactly as they are at rest. A restore proves first that this node's secret key opens the
// backup's `secrets.check` (else nothing could be read back) and writes only into an empty store,
// each record create-if-absent, so it can neither mix two stores nor overwrite anything.
// Left out: login sessions, placements and chain links (where actors run now: the scheduler
// writes them again from the restored desired state). The file names the store's schema version
// (`schema`; absent in files from before versions: 0) instead of carrying the schema record: a
// restore migrates an older file's records in memory (store/schema.ts) and refuses a newer one.
import { z } from "zod";
import { StreamwellError } from "../defs/errors.js";
import type { Sealer } from "../kit/sealer.js";
import {
  assertNotNewer,
  codeVersion,
  type Migration,
  migrateRecord,
  SCHEMA_KEY,
  type SchemaRecord,
} from "./schema.js";
import { CHECK_KEY, keyIdOf, opensCheck } from "./seal-at-rest.js";
import type { Store } from "./store.js";

export const BACKUP_FORMAT = "streamwell-backup";
const SKIPPED_PREFIXES = ["sessions.", "placements.", "chains.", "leases."];

const backupSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(1),
  createdAt: z.string(),
  /** The schema version of its records (store/schema.ts); absent in files from before versions. */
  schema: z.number().int().nonnegative().default(0),
  /** The id of the key that sealed its secrets (never the key). */
  keyId: z.string(),
  records: z.array(z.object({ key: z.string(), value: z.unknown() })),
});

export type Backup = z.input<typeof backupSchema>;

export class BackupError extends StreamwellError {}

export async function takeBackup(raw: Store, sealer: Sealer, now = new Date()): Promise<Backup> {
  const entries = await raw.list("");
  const schema = entries.find((entry) => entry.key === SCHEMA_KEY)?.value as SchemaRecord | undefined;
  const records = entries
    .filter((entry) => entry.key !== SCHEMA_KEY)
    .filter((entry) => !SKIPPED_PREFIXES.some((prefix) => entry.key.startsWith(prefix)))
    .map(({ key, value }) => ({ key, value }));
  return {
    format: BACKUP_FORMAT,
    version: 1,
    createdAt: now.toISOString(),
    keyId: sealer.keyId,
    schema: schema?.version ?? 0,
    records,
  };
}

export interface Restored {
  /** Records written (the schema record not counted). */
  readonly records: number;
  /** The backup's schema version, and the version the store is at now (the code's). */
  readonly fromSchema: number;
  readonly schema: number;
}

/**
 * Writes a backup into an empty store, its records migrated to this code's schema version (the
 * `migrations`' last). Nothing is written on refusal: a newer schema, another key, a store not empty.
 */
export async function restoreBackup(
  raw: Store,
  sealer: Sealer,
  input: unknown,
  migrations: readonly Migration[],
): Promise<Restored> {
  const parsed = backupSchema.safeParse(input);
  if (!parsed.success)
    throw new BackupError(`not a Streamwell backup (version 1): ${parsed.error.issues[0]?.message}`);
  const code = codeVersion(migrations);
  const { records, schema: fromSchema } = parsed.data;
  assertNotNewer(fromSchema, code, "this backup");
  const check = records.find((record) => record.key === CHECK_KEY)?.value as { sealed?: unknown } | undefined;
  if (typeof check?.sealed !== "string")
    throw new BackupError(`the backup has no ${CHECK_KEY} record: incomplete`);
  if (!opensCheck(sealer, { sealed: check.sealed })) {
    throw new BackupError(
      `this backup was made under another secret key${keyIdOf(check.sealed)} than this node's (key id ${sealer.keyId}): restore with the STREAMWELL_SECRET_KEY (or STREAMWELL_SECRET_KEY_FILE) it was made with; nothing was written`,
    );
  }
  const present = await raw.list("");
  if (present.length > 0) {
    throw new BackupError(
      `the store already holds ${present.length} records: restore only into an empty store (a new STREAMWELL_DATA_DIR, or a new STREAMWELL_NAMESPACE on NATS) before any node starts on it; nothing was written`,
    );
  }
  for (const { key, value } of records)
    await raw.create(key, migrateRecord(migrations, fromSchema, key, value));
  await raw.create(SCHEMA_KEY, { version: code, migrating: null } satisfies SchemaRecord);
  return { records: records.length, fromSchema, schema: code };
}
