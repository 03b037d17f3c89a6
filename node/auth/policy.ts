// Who may do what. Pure functions over the caller and the resource, so the whole
// authorization matrix is unit-testable; services call these and nothing else decides.
import type { Role } from "../defs/role.js";

export interface Caller {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
}

/** How much of a caller an action needs. */
export type Access = "public" | "user" | "admin";

export function meetsAccess(caller: Caller | undefined, access: Access): boolean {
  if (access === "public") return true;
  if (!caller) return false;
  return access === "user" || caller.role === "admin";
}

/** Channels and their restreams: the owner or an admin. */
export function canManageChannel(caller: Caller, channel: { readonly ownerId: string }): boolean {
  return caller.role === "admin" || caller.id === channel.ownerId;
}

/** Users: an admin changes anything; a user changes only their own password. */
export function canChangeUser(
  caller: Caller,
  userId: string,
  change: { readonly role?: Role; readonly quotas?: unknown },
): boolean {
  if (caller.role === "admin") return true;
  return caller.id === userId && change.role === undefined && change.quotas === undefined;
}
