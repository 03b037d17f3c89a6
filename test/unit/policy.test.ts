import { describe, expect, it } from "vitest";
import {
  type Access,
  type Caller,
  canChangeUser,
  canManageChannel,
  meetsAccess,
} from "../../node/auth/policy.js";

const user: Caller = { id: "us_user", username: "user", role: "user" };
const otherUser: Caller = { id: "us_other", username: "other", role: "user" };
const admin: Caller = { id: "us_admin", username: "admin", role: "admin" };

type Kind = "none" | "user" | "other user" | "admin";
const callers: Record<Kind, Caller | undefined> = {
  none: undefined,
  user,
  "other user": otherUser,
  admin,
};

describe("meetsAccess", () => {
  const table: Array<[Kind, Access, boolean]> = [
    ["none", "public", true],
    ["none", "user", false],
    ["none", "admin", false],
    ["user", "public", true],
    ["user", "user", true],
    ["user", "admin", false],
    ["other user", "public", true],
    ["other user", "user", true],
    ["other user", "admin", false],
    ["admin", "public", true],
    ["admin", "user", true],
    ["admin", "admin", true],
  ];
  it.each(table)("caller %s, access %s -> %s", (kind, access, expected) => {
    expect(meetsAccess(callers[kind], access)).toBe(expected);
  });
});

describe("canManageChannel (channel owned by user)", () => {
  const channel = { ownerId: user.id };
  const table: Array<[Exclude<Kind, "none">, boolean]> = [
    ["user", true],
    ["other user", false],
    ["admin", true],
  ];
  it.each(table)("caller %s -> %s", (kind, expected) => {
    expect(canManageChannel(callers[kind]!, channel)).toBe(expected);
  });

  it("does not let a user manage an admin's channel", () => {
    expect(canManageChannel(user, { ownerId: admin.id })).toBe(false);
  });
});

describe("canChangeUser (target: user)", () => {
  const table: Array<[Exclude<Kind, "none">, string, { role?: "admin" | "user" }, boolean]> = [
    ["user", "own password", {}, true],
    ["user", "own role to admin", { role: "admin" }, false],
    ["user", "own role to user", { role: "user" }, false],
    ["other user", "password", {}, false],
    ["other user", "role to admin", { role: "admin" }, false],
    ["admin", "password", {}, true],
    ["admin", "role to admin", { role: "admin" }, true],
    ["admin", "role to user", { role: "user" }, true],
  ];
  it.each(table)("caller %s changing %s -> %s", (kind, _what, change, expected) => {
    expect(canChangeUser(callers[kind]!, user.id, change)).toBe(expected);
  });

  it("lets an admin change their own role", () => {
    expect(canChangeUser(admin, admin.id, { role: "user" })).toBe(true);
  });

  it("does not let a user change an admin", () => {
    expect(canChangeUser(user, admin.id, {})).toBe(false);
    expect(canChangeUser(user, admin.id, { role: "user" })).toBe(false);
  });
});
