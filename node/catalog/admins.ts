// Who is an admin: one record, `admins`, the authority on roles (a user record's own `role`, kept
// by versions before this one, is read only once, to build it). Every change to it is one
// compare-and-set write, so "never remove the last admin" is checked and applied in the same
// write: two requests that each remove one of the last two admins, on any nodes, cannot both
// pass; the second one's write fails on the revision, is retried on the new record, and is refused.
//
// A deletion also writes the user's id into `deleted` in that same write and removes it again once
// the user's record is gone: a promotion that read the user's record just before the deletion
// then finds the mark (or, after it is cleared, no record) and cannot make a deleted id an admin,
// which would count a ghost as the admin that remains.
import { ConflictError, NotFoundError } from "../defs/errors.js";
import { mutate } from "../store/mutate.js";
import { KeyExistsError, type Store } from "../store/store.js";
import { keys, type UserRecord } from "./records.js";

interface AdminsRecord {
  readonly ids: readonly string[];
  /** Users being deleted: they may not become admins. */
  readonly deleted: readonly string[];
}

export class LastAdminError extends ConflictError {
  constructor(action: "demote" | "delete") {
    super(`cannot ${action} the last admin: make another user admin first`);
  }
}

export class Admins {
  constructor(private readonly store: Store) {}

  async ids(): Promise<ReadonlySet<string>> {
    return new Set((await this.current()).ids);
  }

  /** Makes `id` an admin; NotFoundError if the user does not exist (or is being deleted). */
  async add(id: string): Promise<void> {
    await this.change((admins) => {
      if (admins.deleted.includes(id)) throw new NotFoundError(`user ${id} not found`);
      return this.userExists(id).then((exists) => {
        if (!exists) throw new NotFoundError(`user ${id} not found`);
        return admins.ids.includes(id) ? admins : { ...admins, ids: [...admins.ids, id] };
      });
    });
  }

  /** Makes `id` a plain user, unless it is the last admin. */
  async remove(id: string): Promise<void> {
    await this.change((admins) => ({ ...admins, ids: withoutLast(admins.ids, id, "demote") }));
  }

  /**
   * Marks `id` as being deleted (and no longer an admin, unless it is the last one); the caller
   * deletes the user's records, then calls `deleted`.
   */
  async deleting(id: string): Promise<void> {
    await this.change((admins) => ({
      ids: withoutLast(admins.ids, id, "delete"),
      deleted: admins.deleted.includes(id) ? admins.deleted : [...admins.deleted, id],
    }));
  }

  /** The user's records are gone: the mark is not needed any more. */
  async deleted(id: string): Promise<void> {
    await this.change((admins) => ({ ...admins, deleted: admins.deleted.filter((d) => d !== id) }));
  }

  private async change(next: (admins: AdminsRecord) => AdminsRecord | Promise<AdminsRecord>): Promise<void> {
    await this.current();
    await mutate<AdminsRecord>(this.store, keys.admins, next);
  }

  /** The record; on a store from before it existed, built from the users' own roles. */
  private async current(): Promise<AdminsRecord> {
    const entry = await this.store.get<AdminsRecord>(keys.admins);
    if (entry) return entry.value;
    const users = await this.store.list<Partial<UserRecord>>(keys.users);
    const built: AdminsRecord = {
      ids: users.filter((user) => user.value.role === "admin").map((user) => user.value.id as string),
      deleted: [],
    };
    try {
      await this.store.create(keys.admins, built);
      return built;
    } catch (error) {
      if (!(error instanceof KeyExistsError)) throw error;
      return this.current(); // another node built it first
    }
  }

  private async userExists(id: string): Promise<boolean> {
    return (await this.store.get(keys.user(id))) !== undefined;
  }
}

function withoutLast(ids: readonly string[], id: string, action: "demote" | "delete"): readonly string[] {
  if (!ids.includes(id)) return ids;
  if (ids.length === 1) throw new LastAdminError(action);
  return ids.filter((other) => other !== id);
}
