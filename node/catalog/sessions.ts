// Login sessions: a random bearer token handed to the client once; the store keeps only its
// SHA-256, with the user and an expiry. The same token rides in the UI's HttpOnly cookie.
import { newToken, sha256Hex } from "../kit/ids.js";
import type { Store } from "../store/store.js";
import { keys, type SessionRecord } from "./records.js";

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(userId: string): Promise<{ token: string; expiresAt: string }> {
    const token = newToken();
    const expiresAt = new Date(this.now() + this.ttlMs).toISOString();
    await this.store.create(keys.session(sha256Hex(token)), { userId, expiresAt } satisfies SessionRecord);
    return { token, expiresAt };
  }

  /** The user id behind a live token, or undefined (an expired one is deleted on the way). */
  async resolve(token: string): Promise<string | undefined> {
    const key = keys.session(sha256Hex(token));
    const entry = await this.store.get<SessionRecord>(key);
    if (!entry) return undefined;
    if (Date.parse(entry.value.expiresAt) <= this.now()) {
      await this.store.delete(key);
      return undefined;
    }
    return entry.value.userId;
  }

  /** Ends one session; the answer is its token's hash (to close what it holds open). */
  async revoke(token: string): Promise<string> {
    const hash = sha256Hex(token);
    await this.store.delete(keys.session(hash));
    return hash;
  }

  /** Ends every session of a user but `keepToken` (after a password change or deletion); the answer is their hashes. */
  async revokeUser(userId: string, keepToken?: string): Promise<string[]> {
    const keep = keepToken ? keys.session(sha256Hex(keepToken)) : undefined;
    const ended: string[] = [];
    for (const entry of await this.store.list<SessionRecord>(keys.sessions)) {
      if (entry.value.userId !== userId || entry.key === keep) continue;
      await this.store.delete(entry.key);
      ended.push(entry.key.slice(keys.sessions.length));
    }
    return ended;
  }

  /** Deletes expired sessions: nobody else would, since an expired token is seldom presented again. */
  async sweep(): Promise<number> {
    let swept = 0;
    for (const entry of await this.store.list<SessionRecord>(keys.sessions)) {
      if (Date.parse(entry.value.expiresAt) > this.now()) continue;
      await this.store.delete(entry.key, entry.revision);
      swept += 1;
    }
    return swept;
  }
}
