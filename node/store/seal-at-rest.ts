// Run once at start, before anything reads the store: proves this node's secret key is the one the
// store's secrets were sealed with (a wrong key stops the node with a clear message instead of
// handing out garbage), then seals what is still plain (records written before secrets were
// sealed) or sealed by a previous key (a rotation). Both steps are idempotent and use
// compare-and-set, so two nodes starting at once on one store cannot lose a write.

import { SealError, type Sealer } from "../kit/sealer.js";
import { SecretKeyError } from "../kit/secret-key.js";
import type { SealedStore } from "./sealed-store.js";
import { KeyExistsError, RevisionMismatchError, type Store } from "./store.js";

/** A record only the right key opens: written by the first node, checked by every later one. */
export const CHECK_KEY = "secrets.check";
const CHECK_TEXT = "streamwell secret key check";

export interface CheckRecord {
  readonly sealed: string;
}

/** Whether this sealer (its key, or one it had before a rotation) opens a store's check record. */
export function opensCheck(sealer: Sealer, check: CheckRecord): boolean {
  try {
    return sealer.open(check.sealed, CHECK_KEY) === CHECK_TEXT;
  } catch (error) {
    if (error instanceof SealError) return false;
    throw error;
  }
}

export async function checkSecretKey(raw: Store, sealer: Sealer): Promise<void> {
  const entry = await raw.get<CheckRecord>(CHECK_KEY);
  if (!entry) {
    const created = await raw
      .create(CHECK_KEY, { sealed: sealer.seal(CHECK_TEXT, CHECK_KEY) })
      .catch((error: unknown) => {
        if (error instanceof KeyExistsError) return undefined; // another node was first: check its
        throw error;
      });
    if (created === undefined) await checkSecretKey(raw, sealer);
    return;
  }
  if (!opensCheck(sealer, entry.value)) {
    throw new SecretKeyError(
      `this node's secret key (key id ${sealer.keyId}) is not the key this store's secrets are sealed with${keyIdOf(entry.value.sealed)}: give every node the same STREAMWELL_SECRET_KEY (or STREAMWELL_SECRET_KEY_FILE); after a rotation, put the old key in STREAMWELL_SECRET_KEY_PREVIOUS`,
    );
  }
  if (sealer.isStale(entry.value.sealed)) {
    await raw
      .update(CHECK_KEY, { sealed: sealer.seal(CHECK_TEXT, CHECK_KEY) }, entry.revision)
      .catch((error: unknown) => {
        if (!(error instanceof RevisionMismatchError)) throw error;
      });
  }
}

export function keyIdOf(sealed: string): string {
  const id = /^sealed:v1:([0-9a-f]+):/.exec(sealed)?.[1];
  return id ? ` (key id ${id})` : "";
}

/** Seals every secret field still plain or sealed by an old key; returns how many records changed. */
export async function sealStoredSecrets(raw: Store, sealed: SealedStore): Promise<number> {
  let changed = 0;
  for (const prefix of sealed.prefixes) {
    for (const entry of await raw.list(prefix)) {
      if (await sealOne(raw, sealed, entry.key, entry.value, entry.revision)) changed += 1;
    }
  }
  return changed;
}

async function sealOne(
  raw: Store,
  sealed: SealedStore,
  key: string,
  value: unknown,
  revision: number,
): Promise<boolean> {
  if (!sealed.needsSealing(key, value)) return false;
  try {
    await raw.update(key, sealed.sealed(key, value), revision);
    return true;
  } catch (error) {
    if (!(error instanceof RevisionMismatchError)) throw error;
    // Someone wrote it meanwhile (another node sealing it too, or a user's edit): look again.
    const now = await raw.get(key);
    return now ? sealOne(raw, sealed, key, now.value, now.revision) : false;
  }
}
