// The store's schema version and its migrations. The `schema` record holds the version the records
// are in; the code knows the ordered list of migrations (node/catalog/migrations.ts), and its own
// version is the last one's. At start, before anything else reads the store (node/runtime.ts):
// - the stored version is newer than the code's: the node refuses to start, naming both;
// - older: one node claims the migration with compare-and-set on the schema record, runs each
//   migration still due over the raw records (compare-and-set per record) and writes the new
//   version; every other node starting meanwhile waits for that version. A claim not refreshed for
//   CLAIM_STALE_MS (its node died mid-way) may be taken over: migrations are idempotent.
// A store with no schema record is version 0 when it holds records (written before versions
// existed), else new: it starts at the code's version with nothing to migrate.
import { StreamwellError } from "../defs/errors.js";
import type { Logger } from "../kit/log.js";
import { KeyExistsError, RevisionMismatchError, type Store } from "./store.js";

export const SCHEMA_KEY = "schema";
/** A claim older than this (not refreshed after a migration step) is taken to be dead. */
export const CLAIM_STALE_MS = 60_000;
const WAIT_POLL_MS = 200;

export interface MigrationClaim {
  readonly nodeId: string;
  readonly to: number;
  /** When the claim was made or last refreshed (ms). */
  readonly at: number;
}

export interface SchemaRecord {
  readonly version: number;
  /** Set while one node migrates; null when none does. */
  readonly migrating: MigrationClaim | null;
}

/**
 * One step of the schema: brings the records under `prefix` to `version`. `migrate` is pure and
 * idempotent: it returns the record as it must be at `version`, or undefined when it already is.
 */
export interface Migration<T = unknown> {
  readonly version: number;
  readonly summary: string;
  readonly prefix: string;
  readonly migrate: (value: T) => T | undefined;
}

/** Types a migration by the record it reads, for a list of migrations of different records. */
export function migration<T>(step: Migration<T>): Migration {
  return step as unknown as Migration;
}

export class SchemaError extends StreamwellError {}

/** The version a list of migrations brings a store to; checks the list is 1, 2, 3... */
export function codeVersion(migrations: readonly Migration[]): number {
  migrations.forEach((step, i) => {
    if (step.version !== i + 1)
      throw new SchemaError(`migration "${step.summary}" has version ${step.version}, expected ${i + 1}`);
  });
  return migrations.length;
}

/** Throws when a store (or a backup) is of a newer schema than this code knows. */
export function assertNotNewer(stored: number, code: number, what: string): void {
  if (stored <= code) return;
  throw new SchemaError(
    `${what} is at schema version ${stored}, newer than this Streamwell's schema version ${code}: run a release that knows schema version ${stored}; nothing was written`,
  );
}

/** The migrations a record at `from` still needs, applied in order, in memory (for a restore). */
export function migrateRecord(
  migrations: readonly Migration[],
  from: number,
  key: string,
  value: unknown,
): unknown {
  let current = value;
  for (const step of migrations.slice(from)) {
    if (key.startsWith(step.prefix)) current = step.migrate(current) ?? current;
  }
  return current;
}

export interface SchemaOutcome {
  /** The store's version now (the code's). */
  readonly version: number;
  /** The versions this node migrated to (empty: none was due, or another node ran them). */
  readonly migrated: readonly number[];
  /** Records this node changed. */
  readonly changed: number;
}

export interface SchemaContext {
  readonly nodeId: string;
  readonly log: Logger;
  readonly now?: () => number;
}

export async function ensureSchema(
  raw: Store,
  migrations: readonly Migration[],
  context: SchemaContext,
): Promise<SchemaOutcome> {
  const code = codeVersion(migrations);
  const now = context.now ?? Date.now;
  for (;;) {
    const entry = await raw.get<SchemaRecord>(SCHEMA_KEY);
    if (!entry) {
      const stored = (await raw.list("")).length > 0 ? 0 : code;
      const claim = stored < code ? { nodeId: context.nodeId, to: code, at: now() } : null;
      const revision = await createOrNothing(raw, { version: stored, migrating: claim });
      if (revision === undefined) continue; // another node wrote it first: read it
      if (!claim) return { version: code, migrated: [], changed: 0 };
      return runClaimed(raw, migrations, stored, revision, context);
    }
    const { version, migrating } = entry.value;
    assertNotNewer(version, code, "this store");
    if (version === code) return { version, migrated: [], changed: 0 };
    if (migrating && now() - migrating.at < CLAIM_STALE_MS) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
      continue;
    }
    const claim = { nodeId: context.nodeId, to: code, at: now() };
    const revision = await updateOrNothing(raw, { version, migrating: claim }, entry.revision);
    if (revision === undefined) continue;
    if (migrating)
      context.log.warn({ stale: migrating }, "took over a schema migration whose node went quiet");
    return runClaimed(raw, migrations, version, revision, context);
  }
}

async function runClaimed(
  raw: Store,
  migrations: readonly Migration[],
  from: number,
  claimRevision: number,
  context: SchemaContext,
): Promise<SchemaOutcome> {
  const now = context.now ?? Date.now;
  const code = migrations.length;
  let revision = claimRevision;
  let changed = 0;
  const migrated: number[] = [];
  for (const step of migrations.slice(from)) {
    const count = await applyToStore(raw, step);
    changed += count;
    migrated.push(step.version);
    const done = step.version === code;
    const record: SchemaRecord = {
      version: step.version,
      migrating: done ? null : { nodeId: context.nodeId, to: code, at: now() },
    };
    const next = await updateOrNothing(raw, record, revision);
    if (next === undefined)
      throw new SchemaError(
        `the schema record changed while this node (${context.nodeId}) migrated it to version ${step.version}: another node took the migration over; restart this node`,
      );
    revision = next;
    context.log.info(
      { version: step.version, records: count, summary: step.summary },
      `migrated the store's schema to version ${step.version}`,
    );
  }
  return { version: code, migrated, changed };
}

/** Runs one migration over every record under its prefix; returns how many it changed. */
async function applyToStore(raw: Store, step: Migration): Promise<number> {
  let changed = 0;
  for (const entry of await raw.list(step.prefix)) {
    let current: { value: unknown; revision: number } | undefined = entry;
    while (current) {
      const next = step.migrate(current.value);
      if (next === undefined) break;
      const written = await updateOrNothing(raw, next, current.revision, entry.key);
      if (written !== undefined) {
        changed += 1;
        break;
      }
      current = await raw.get(entry.key); // someone wrote it meanwhile: migrate what is there now
    }
  }
  return changed;
}

async function createOrNothing(raw: Store, value: SchemaRecord): Promise<number | undefined> {
  try {
    return await raw.create(SCHEMA_KEY, value);
  } catch (error) {
    if (error instanceof KeyExistsError) return undefined;
    throw error;
  }
}

async function updateOrNothing(
  raw: Store,
  value: unknown,
  revision: number,
  key = SCHEMA_KEY,
): Promise<number | undefined> {
  try {
    return await raw.update(key, value, revision);
  } catch (error) {
    if (error instanceof RevisionMismatchError) return undefined;
    throw error;
  }
}
