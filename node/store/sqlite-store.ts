// SQLite adapter of the store port: the embedded default, one file on local disk.
// better-sqlite3 is synchronous, so every write (check, bump the counter, write, commit) runs to the
// end before any other call starts: compare-and-set needs no locking here and events leave in
// revision order. Watchers only see writes made through this instance, not other processes.
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StorageFullError } from "../defs/errors.js";
import {
  assertKey,
  assertPrefix,
  type Entry,
  encodeValue,
  KeyExistsError,
  RevisionMismatchError,
  type Store,
  StoreError,
  type Unwatch,
  type WatchEvent,
} from "./store.js";

export interface SqliteStoreOptions {
  /** Receives what a watcher threw; it never reaches the writer. Default: a process warning. */
  onWatchError?: (error: unknown) => void;
}

interface Row {
  key: string;
  value: string;
  revision: number;
}

interface Watcher {
  prefix: string;
  onEvent: (event: WatchEvent) => void;
}

const BUSY_TIMEOUT_MS = 5000;

// The counter lives in its own row so that deleting the newest entry never lets its revision be
// handed out again (MAX(revision) would).
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT NOT NULL, revision INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0);
`;

export class SqliteStore implements Store {
  private readonly watchers = new Set<Watcher>();
  private readonly pending: WatchEvent[] = [];
  private dispatching = false;
  private readonly sql;

  private constructor(
    private readonly db: Database.Database,
    private readonly onWatchError: (error: unknown) => void,
  ) {
    const columns = "SELECT key, value, revision FROM entries";
    this.sql = {
      one: db.prepare<[string], Row>(`${columns} WHERE key = ?`),
      all: db.prepare<[], Row>(`${columns} ORDER BY key`),
      range: db.prepare<[string, string], Row>(`${columns} WHERE key >= ? AND key < ? ORDER BY key`),
      bump: db.prepare<[], { value: number }>(
        "UPDATE meta SET value = value + 1 WHERE name = 'revision' RETURNING value",
      ),
      upsert: db.prepare<[string, string, number]>(
        "INSERT INTO entries (key, value, revision) VALUES (?, ?, ?) " +
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value, revision = excluded.revision",
      ),
      insert: db.prepare<[string, string, number]>(
        "INSERT INTO entries (key, value, revision) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
      ),
      swap: db.prepare<[string, number, string, number]>(
        "UPDATE entries SET value = ?, revision = ? WHERE key = ? AND revision = ?",
      ),
      remove: db.prepare<[string]>("DELETE FROM entries WHERE key = ?"),
      ping: db.prepare("SELECT 1"),
    };
  }

  static open(file: string, options: SqliteStoreOptions = {}): SqliteStore {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Made 0600 before SQLite opens it (and tightened if an older version made it 0644): SQLite
    // gives its -wal and -shm files the database file's mode.
    closeSync(openSync(file, "a", 0o600));
    chmodSync(file, 0o600);
    const db = new Database(file);
    try {
      db.pragma("journal_mode = WAL");
      // Deleted and overwritten values are zeroed on disk, not left in free pages: a secret
      // sealed at start (a record from before secrets were sealed) leaves no plain copy behind.
      db.pragma("secure_delete = ON");
      // NORMAL in WAL mode: a commit is in the WAL (the OS cache) when the write resolves and is
      // fsynced at checkpoints, so it survives a crash of the process but a power loss may take
      // the last commits back (never corrupt the file). FULL fsynced every commit: ~11 ms per
      // write on this loaded disk, most of a REST create (docs/decisions.md).
      db.pragma("synchronous = NORMAL");
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.exec(SCHEMA);
      return new SqliteStore(db, options.onWatchError ?? warnWatchError);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async get<T = unknown>(key: string): Promise<Entry<T> | undefined> {
    assertKey(key);
    this.assertOpen();
    const row = this.sql.one.get(key);
    return row && toEntry<T>(row);
  }

  async put(key: string, value: unknown): Promise<number> {
    assertKey(key);
    const text = encodeValue(value);
    return this.write(key, text, (revision) => this.sql.upsert.run(key, text, revision));
  }

  async create(key: string, value: unknown): Promise<number> {
    assertKey(key);
    const text = encodeValue(value);
    return this.write(key, text, (revision) => {
      if (this.sql.insert.run(key, text, revision).changes === 0) {
        throw new KeyExistsError(`store key "${key}" already exists`);
      }
    });
  }

  async update(key: string, value: unknown, revision: number): Promise<number> {
    assertKey(key);
    const text = encodeValue(value);
    return this.write(key, text, (next) => {
      if (this.sql.swap.run(text, next, key, revision).changes === 0) {
        throw new RevisionMismatchError(`store key "${key}" is not at revision ${revision}`);
      }
    });
  }

  async delete(key: string, revision?: number): Promise<void> {
    assertKey(key);
    this.assertOpen();
    const deleted = this.commit(() => {
      const current = this.sql.one.get(key);
      if (revision !== undefined && current?.revision !== revision) {
        throw new RevisionMismatchError(`store key "${key}" is not at revision ${revision}`);
      }
      if (!current) return undefined;
      this.sql.remove.run(key);
      return this.bump();
    });
    if (deleted !== undefined) this.emit({ op: "delete", key, revision: deleted });
  }

  /**
   * Copies the WAL into the database and truncates it: old versions of rewritten values (plain
   * secrets sealed at start) are gone from the WAL file, not just superseded.
   */
  scrub(): void {
    this.assertOpen();
    this.db.pragma("wal_checkpoint(TRUNCATE)");
  }

  async list<T = unknown>(prefix: string): Promise<Entry<T>[]> {
    assertPrefix(prefix);
    this.assertOpen();
    const rows = prefix === "" ? this.sql.all.all() : this.sql.range.all(prefix, upperBound(prefix));
    return rows.map((row) => toEntry<T>(row));
  }

  watch(prefix: string, onEvent: (event: WatchEvent) => void): Unwatch {
    assertPrefix(prefix);
    this.assertOpen();
    const watcher = { prefix, onEvent };
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
    };
  }

  async ping(): Promise<void> {
    this.assertOpen();
    this.sql.ping.get();
  }

  async close(): Promise<void> {
    this.watchers.clear();
    this.db.close();
  }

  private assertOpen(): void {
    // Prepared statements on a closed handle throw a bare TypeError; callers expect a StoreError.
    if (!this.db.open) throw new StoreError("store is closed");
  }

  private bump(): number {
    const row = this.sql.bump.get();
    if (!row) throw new StoreError("store revision counter is missing");
    return row.value;
  }

  /** Bumps the counter and writes in one transaction; a throw in `apply` rolls back both. */
  private write(key: string, text: string, apply: (revision: number) => void): number {
    this.assertOpen();
    const revision = this.commit(() => {
      const next = this.bump();
      apply(next);
      return next;
    });
    // Parsed from the stored text so watchers never share (and can never mutate) the caller's object.
    this.emit({ op: "put", entry: { key, value: JSON.parse(text), revision } });
    return revision;
  }

  /**
   * Runs `body` in one transaction. A disk that is full fails the commit with SQLITE_FULL (the WAL
   * cannot grow); SQLite rolls the transaction back, so the store holds what it held before and the
   * caller gets a StorageFullError, not a bare SqliteError. The handle stays usable: writes work
   * again once there is space.
   */
  private commit<T>(body: () => T): T {
    try {
      return this.db.transaction(body)();
    } catch (error) {
      if ((error as { code?: unknown }).code === "SQLITE_FULL")
        throw new StorageFullError("store", { cause: error });
      throw error;
    }
  }

  private emit(event: WatchEvent): void {
    this.pending.push(event);
    // A watcher that writes lands here re-entrantly: its event waits until the current one has
    // reached every watcher, so each watcher still sees revisions in order.
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        const key = next.op === "put" ? next.entry.key : next.key;
        for (const watcher of [...this.watchers]) {
          // Checked again: an earlier watcher may have unwatched this one during this event.
          if (!this.watchers.has(watcher) || !key.startsWith(watcher.prefix)) continue;
          try {
            watcher.onEvent(next);
          } catch (error) {
            this.onWatchError(error);
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}

function toEntry<T>(row: Row): Entry<T> {
  return { key: row.key, value: JSON.parse(row.value) as T, revision: row.revision };
}

/** The smallest string above every string that starts with `prefix` (keys and prefixes are ASCII). */
function upperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function warnWatchError(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : `store watcher threw: ${String(error)}`);
}
