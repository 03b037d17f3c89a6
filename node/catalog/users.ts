// Users and roles. A username is unique across the mesh through an index key created first
// (create-if-absent), so two nodes cannot register the same name at once.
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import { ConflictError, NotFoundError } from "../defs/errors.js";
import type { Role } from "../defs/role.js";
import { newId } from "../kit/ids.js";
import { mutate } from "../store/mutate.js";
import { KeyExistsError, type Store } from "../store/store.js";
import { byCreation, keys, type QuotaOverrides, type UserRecord } from "./records.js";

/** The username alphabet: names are store keys. A login with any other name is a plain wrong login. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly role: Role;
}

export class Users {
  constructor(private readonly store: Store) {}

  async create(input: NewUser): Promise<UserRecord> {
    const user: UserRecord = {
      id: newId("us"),
      username: input.username,
      role: input.role,
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
    return user;
  }

  async get(id: string): Promise<UserRecord> {
    const entry = await this.store.get<UserRecord>(keys.user(id));
    if (!entry) throw new NotFoundError(`user ${id} not found`);
    return entry.value;
  }

  async list(): Promise<UserRecord[]> {
    return (await this.store.list<UserRecord>(keys.users)).map((entry) => entry.value).sort(byCreation);
  }

  /** The user whose password matches, or undefined (same answer for unknown names). */
  async authenticate(username: string, password: string): Promise<UserRecord | undefined> {
    const index = USERNAME_PATTERN.test(username)
      ? await this.store.get<{ userId: string }>(keys.username(username))
      : undefined;
    const user = index && (await this.store.get<UserRecord>(keys.user(index.value.userId)))?.value;
    if (!user) {
      await hashPassword(password); // same cost as a wrong password, so timing does not tell names apart
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
  }

  async update(
    id: string,
    change: { password?: string; role?: Role; quotas?: QuotaOverrides },
  ): Promise<UserRecord> {
    const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
    if (change.role === "user") await this.assertNotLastAdmin(id, "demote");
    return mutate<UserRecord>(
      this.store,
      keys.user(id),
      (user) => ({
        ...user,
        role: change.role ?? user.role,
        passwordHash: passwordHash ?? user.passwordHash,
        ...(change.quotas && { quotas: { ...user.quotas, ...change.quotas } }),
      }),
      () => new NotFoundError(`user ${id} not found`),
    );
  }

  async delete(id: string): Promise<UserRecord> {
    const user = await this.get(id);
    await this.assertNotLastAdmin(id, "delete");
    await this.store.delete(keys.user(id));
    await this.store.delete(keys.username(user.username));
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

  private async assertNotLastAdmin(id: string, action: "demote" | "delete"): Promise<void> {
    const admins = (await this.list()).filter((user) => user.role === "admin");
    if (admins.length === 1 && admins[0]?.id === id) {
      throw new ConflictError(`cannot ${action} the last admin: make another user admin first`);
    }
  }
}
