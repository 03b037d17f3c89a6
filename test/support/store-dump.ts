// Every record of a node's SQLite store (key, revision, value), read through a read-only handle
// while the node runs (WAL lets a reader see every committed write). The API fuzzer compares a
// dump before and after each batch of requests that the node refused.
import Database from "better-sqlite3";

export function dumpStore(dataDir: string, skip: (key: string) => boolean = () => false): string {
  const db = new Database(`${dataDir}/streamwell.db`, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT key, revision, value FROM entries ORDER BY key").all() as Array<{
      key: string;
      revision: number;
      value: string;
    }>;
    return rows
      .filter((row) => !skip(row.key))
      .map((row) => `${row.key} ${row.revision} ${row.value}`)
      .join("\n");
  } finally {
    db.close();
  }
}
