// Users and roles. A username is unique across the mesh through an index key created first
// (create-if-absent), so two nodes cannot register the same name at once. Roles live in one
// record (admins.ts) so that the last admin cannot be removed by two requests at once; a user's
// record holds the rest.
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import { ConflictError, NotFoundError } from "../defs/errors.js";
import type { Role } from "../defs/role.js";
import { newId } from "../kit/ids.js";
import { mutate } from "../store/mutate.js";
import { KeyExistsError, type Store } from "../store/store.js";
import { Admins } from "./admins.js";
import { byCreation, keys, type QuotaOverrides, type UserRecord } from "./records.js";

/** A user's record as stored: the role is the admins record's. */
type StoredUser = Omit<UserRecord, "role"> & { readonly role?: unknown };

/** The username alphabet: names are store keys. A login with any other name is a plain wrong login. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
}

export class Users {
  private readonly admins: Admins;

  constructor(private readonly store: Store) {
    this.admins = new Admins(store);
  }

  async create(input: NewUser): Promise<UserRecord> {
    const user: StoredUser = {
      id: newId("us"),
      username: input.username,
      passwordHash: await hashPassword(input.password),
      createdAt: new Date().toISOString(),
    };
    try {
      await this.store.create(keys.username(user.username), { userId: user.id });
    } catch (error) {
      if (error instanceof KeyExistsError) throw new ConflictError(`username "${user.username}" is taken`);
      throw error;
    }
    await this.store.create(keys.user(user.id), user);
    if (input.role === "admin") await this.admins.add(user.id); // after the record: it must exist
    return { ...user, role: input.role };
  }

  /** The record and the admins record are read at once: every request's caller is read so (one round trip on a mesh). */
  async get(id: string): Promise<UserRecord> {
    const [entry, admins] = await Promise.all([this.store.get<StoredUser>(keys.user(id)), this.admins.ids()]);
    if (!entry) throw new NotFoundError(`user ${id} not found`);
    return withRole(entry.value, admins);
  }

  async list(): Promise<UserRecord[]> {
    const admins = await this.admins.ids();
    return (await this.store.list<StoredUser>(keys.users))
      .map((entry) => withRole(entry.value, admins))
      .sort(byCreation);
  }

  /** The user whose password matches, or undefined (same answer for unknown names). */
  async authenticate(username: string, password: string): Promise<UserRecord | undefined> {
    const index = USERNAME_PATTERN.test(username)
      ? await this.store.get<{ userId: string }>(keys.username(username))
      : undefined;
    const user = index && (await this.store.get<StoredUser>(keys.user(index.value.userId)))?.value;
    if (!user) {
      await hashPassword(password); // same cost as a wrong password, so timing does not tell names apart
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash))
      ? withRole(user, await this.admins.ids())
      : undefined;
  }

  async update(
    id: string,
    change: { password?: string; role?: Role; quotas?: QuotaOverrides },
  ): Promise<UserRecord> {
    const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
    await this.get(id); // 404 before any change
    // The role first: a refused demotion (the last admin) changes nothing else.
    if (change.role === "admin") await this.admins.add(id);
    if (change.role === "user") await this.admins.remove(id);
    if (passwordHash !== undefined || change.quotas !== undefined) {
      await mutate<StoredUser>(
        this.store,
        keys.user(id),
        ({ role: _legacy, ...user }) => ({
          ...user,
          passwordHash: passwordHash ?? user.passwordHash,
          ...(change.quotas && { quotas: { ...user.quotas, ...change.quotas } }),
        }),
        () => new NotFoundError(`user ${id} not found`),
      );
    }
    return this.get(id);
  }

  async delete(id: string): Promise<UserRecord> {
    const user = await this.get(id);
    await this.admins.deleting(id); // refuses the last admin; no one makes this id an admin again
    await this.store.delete(keys.user(id));
    await this.store.delete(keys.username(user.username));
    await this.admins.deleted(id);
    return user;
  }

  /** Creates user "admin" on a store with no users (the first start); false otherwise. */
  async ensureAdmin(password: string): Promise<boolean> {
    if ((await this.store.list(keys.users)).length > 0) return false;
    try {
      await this.create({ username: "admin", password, role: "admin" });
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false; // another node created it first
      throw error;
    }
  }
}

function withRole(user: StoredUser, admins: ReadonlySet<string>): UserRecord {
  const { role: _legacy, ...rest } = user;
  return { ...rest, role: admins.has(user.id) ? "admin" : "user" };
}
