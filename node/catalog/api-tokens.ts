// API tokens for automation: long-lived bearer tokens a user makes, names and revokes. A token is
// `swt.<id>.<secret>`: the id finds its record in one read (no scan, no index), the store keeps
// only the SHA-256 of the whole token, compared in constant time. The "swt." prefix cannot start a
// session token (base64url has no "."), so a credential is resolved by one lookup either way.
import { constantTimeEqual, newId, newToken, sha256Hex } from "../kit/ids.js";
import type { Store } from "../store/store.js";
import { type ApiTokenRecord, byCreation, keys } from "./records.js";

const PREFIX = "swt.";
const DAY_MS = 86_400_000;

export function isApiToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

export class ApiTokens {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes a token for `userId`; the answer is the only place the token itself ever appears. */
  async create(
    userId: string,
    input: { name: string; expiresInDays?: number | undefined },
  ): Promise<{ record: ApiTokenRecord; token: string }> {
    const id = newId("tk");
    const token = `${PREFIX}${id}.${newToken()}`;
    const now = this.now();
    const record: ApiTokenRecord = {
      id,
      userId,
      name: input.name,
      tokenHash: sha256Hex(token),
      createdAt: new Date(now).toISOString(),
      expiresAt:
        input.expiresInDays === undefined ? null : new Date(now + input.expiresInDays * DAY_MS).toISOString(),
    };
    await this.store.create(keys.apiToken(id), record);
    return { record, token };
  }

  /** The user's own tokens, oldest first. */
  async list(userId: string): Promise<ApiTokenRecord[]> {
    return (await this.all()).filter((record) => record.userId === userId).sort(byCreation);
  }

  /** The token's record if it belongs to `userId` (another user's is as absent as a missing one). */
  async owned(userId: string, id: string): Promise<ApiTokenRecord | undefined> {
    const record = (await this.store.get<ApiTokenRecord>(keys.apiToken(id)))?.value;
    return record?.userId === userId ? record : undefined;
  }

  /** Deletes one token; the answer is its hash (to close what it holds open), or undefined if it was gone. */
  async delete(id: string): Promise<string | undefined> {
    const entry = await this.store.get<ApiTokenRecord>(keys.apiToken(id));
    if (!entry) return undefined;
    await this.store.delete(keys.apiToken(id));
    return entry.value.tokenHash;
  }

  /** The user behind a live token, or undefined (an expired one is deleted on the way). */
  async resolve(token: string): Promise<string | undefined> {
    const id = token.slice(PREFIX.length).split(".")[0] ?? "";
    if (!/^tk_[A-Za-z0-9_-]{16}$/.test(id)) return undefined;
    const entry = await this.store.get<ApiTokenRecord>(keys.apiToken(id));
    if (!entry || !constantTimeEqual(sha256Hex(token), entry.value.tokenHash)) return undefined;
    if (this.expired(entry.value)) {
      await this.store.delete(entry.key, entry.revision);
      return undefined;
    }
    return entry.value.userId;
  }

  /** Deletes every token of a user (the user is deleted); the answer is their hashes. */
  async revokeUser(userId: string): Promise<string[]> {
    const records = await this.list(userId);
    for (const record of records) await this.store.delete(keys.apiToken(record.id));
    return records.map((record) => record.tokenHash);
  }

  /** Deletes expired tokens (they are refused anyway; this keeps the store from growing). */
  async sweep(): Promise<number> {
    const expired = (await this.all()).filter((record) => this.expired(record));
    for (const record of expired) await this.store.delete(keys.apiToken(record.id));
    return expired.length;
  }

  private expired(record: ApiTokenRecord): boolean {
    return record.expiresAt !== null && Date.parse(record.expiresAt) <= this.now();
  }

  private async all(): Promise<ApiTokenRecord[]> {
    return (await this.store.list<ApiTokenRecord>(keys.apiTokens)).map((entry) => entry.value);
  }
}
