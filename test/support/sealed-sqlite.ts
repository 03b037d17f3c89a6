// A SQLite store as a node opens it (secrets sealed at rest, a random key), for tests that build a
// runtime in process instead of starting bin/streamwell.js.
import { randomBytes } from "node:crypto";
import { SECRET_FIELDS } from "../../node/catalog/secret-fields.js";
import { Sealer } from "../../node/kit/sealer.js";
import type { OpenedStore } from "../../node/runtime.js";
import { SealedStore } from "../../node/store/sealed-store.js";
import { SqliteStore } from "../../node/store/sqlite-store.js";

export function openSealedSqlite(file: string): OpenedStore {
  const sealer = new Sealer(randomBytes(32));
  return { store: new SealedStore(SqliteStore.open(file), sealer, SECRET_FIELDS), sealer };
}
