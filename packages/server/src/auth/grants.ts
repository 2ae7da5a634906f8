import type { Permission } from './permissions.js';
import { PERMISSIONS } from './permissions.js';

/**
 * Grants never exceed the granter. Every act that decides what someone else may do (create or
 * delete a role, assign roles, create a user with roles, reset another user's password, disable
 * or delete a user) is allowed only when the permissions it touches are a subset of the caller's
 * own. A target holding every permission (an Admin) can therefore only be acted on by a caller
 * who also holds every permission.
 */

/** The permissions in `wanted` that `caller` does not hold, in the canonical order. */
export function permissionsBeyond(caller: ReadonlySet<Permission>, wanted: Iterable<Permission>): Permission[] {
  const w = new Set(wanted);
  return PERMISSIONS.filter((p) => w.has(p) && !caller.has(p));
}

/** True when the caller holds every permission there is. */
export const holdsEveryPermission = (caller: ReadonlySet<Permission>): boolean => PERMISSIONS.every((p) => caller.has(p));

/** The union of the permissions of some roles. */
export const permissionsOfRoles = (roles: ReadonlyArray<{ permissions: readonly Permission[] }>): Set<Permission> => new Set(roles.flatMap((r) => r.permissions));
