import { ValidationError } from '@vecron/sdk';
import { z } from 'zod';
import { ApiError, forbidden, notFound } from '../http/api-error.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { permissionsBeyond, permissionsOfRoles } from './grants.js';
import type { Permission } from './permissions.js';
import type { Principal, ServerStore, UserView } from '../store/server-store.js';

/** A username: letters, digits, `.`, `_`, `@`, `-`. */
export const usernameSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9._@-]+$/, 'may contain letters, digits, ".", "_", "@" and "-"');
/** A new password (the rule of {@link passwordProblem}). */
export const newPasswordSchema = z.string().min(12, 'must be at least 12 characters').max(256);
/** Role names of an assignment. */
export const roleNamesSchema = z.array(z.string().min(1).max(100)).max(50);
/** A new user (`POST /api/users`, the dashboard's user form). */
export const userCreateSchema = z
  .object({ username: usernameSchema, password: newPasswordSchema, display_name: z.string().max(200).nullable().optional(), roles: roleNamesSchema.default([]), must_change_password: z.boolean().default(true) })
  .strict();
/** A change of a user (`PATCH /api/users/:id`). */
export const userPatchSchema = z.object({ disabled: z.boolean().optional(), display_name: z.string().max(200).nullable().optional(), password: newPasswordSchema.optional(), must_change_password: z.boolean().optional() }).strict();

/** 403 unless every permission in `wanted` is held by the caller (grants never exceed the granter). */
export function requireWithinCaller(caller: Principal, wanted: Iterable<Permission>, what: string): void {
  const beyond = permissionsBeyond(caller.permissions, wanted);
  if (beyond.length) {
    throw forbidden(`${what} needs permissions you do not hold: ${beyond.join(', ')}`, { reason: 'grant_exceeds_caller', permissions: beyond });
  }
}

/** The permissions another user holds now; acting on them needs at least as much. */
async function requireTargetWithinCaller(store: ServerStore, caller: Principal, userId: string, what: string): Promise<void> {
  if (userId === caller.id) return;
  const target = await store.principal(userId);
  if (target) requireWithinCaller(caller, target.permissions, what);
}

/** The permissions the named roles give (unknown names are refused later, naming them). */
const permissionsOfRoleNames = async (store: ServerStore, names: string[]): Promise<Set<Permission>> => permissionsOfRoles(await store.rolesNamed(names));

/**
 * The rules of user administration, one copy for the REST API (`routes/users.ts`) and the
 * dashboard's admin pages (`http/dashboard-admin.ts`): grants never exceed the granter (see
 * {@link permissionsBeyond}), nobody disables or deletes themselves, passwords follow
 * {@link passwordProblem}. The caller's permission for the action itself (`user:manage`,
 * `role:assign`) is checked by whoever calls these.
 */
export function userAdmin(store: ServerStore) {
  return {
    async create(caller: Principal, b: z.output<typeof userCreateSchema>): Promise<UserView> {
      const problem = passwordProblem(b.password);
      if (problem) throw new ValidationError('request body', [{ path: '$.password', message: problem }]);
      if (b.roles.length && !caller.permissions.has('role:assign')) throw new ApiError(403, 'FORBIDDEN', 'missing permission role:assign', { details: { permission: 'role:assign' } });
      requireWithinCaller(caller, await permissionsOfRoleNames(store, b.roles), 'creating a user with these roles');
      return store.createUser({ username: b.username, passwordHash: await hashPassword(b.password), displayName: b.display_name ?? null, mustChangePassword: b.must_change_password, roles: b.roles });
    },
    async update(caller: Principal, id: string, b: z.output<typeof userPatchSchema>): Promise<UserView> {
      if (b.disabled && id === caller.id) throw new ApiError(409, 'CONFLICT', 'you cannot disable yourself');
      await requireTargetWithinCaller(store, caller, id, 'changing this user');
      const u = await store.updateUser(id, {
        ...(b.disabled === undefined ? {} : { disabled: b.disabled }),
        ...(b.display_name === undefined ? {} : { displayName: b.display_name }),
        ...(b.password === undefined ? {} : { passwordHash: await hashPassword(b.password), mustChangePassword: b.must_change_password ?? true }),
        ...(b.must_change_password === undefined || b.password !== undefined ? {} : { mustChangePassword: b.must_change_password }),
      });
      if (!u) throw notFound('user', id);
      return u;
    },
    async remove(caller: Principal, id: string): Promise<void> {
      if (id === caller.id) throw new ApiError(409, 'CONFLICT', 'you cannot delete yourself');
      await requireTargetWithinCaller(store, caller, id, 'deleting this user');
      if (!(await store.deleteUser(id))) throw notFound('user', id);
    },
    async setRoles(caller: Principal, id: string, roles: string[]): Promise<UserView> {
      await requireTargetWithinCaller(store, caller, id, "changing this user's roles");
      requireWithinCaller(caller, await permissionsOfRoleNames(store, roles), 'assigning these roles');
      if (!(await store.setRoles(id, roles))) throw notFound('user', id);
      const u = await store.getUser(id);
      if (!u) throw notFound('user', id);
      return u;
    },
  };
}

/**
 * A user changes their own password (`POST /api/auth/password`, the dashboard's first-login form):
 * the current one must match (401), the new one follow {@link passwordProblem} and differ from it
 * (400, naming `$.new_password`). Clears "must change password" and bumps the token version.
 */
export async function changeOwnPassword(store: ServerStore, userId: string, current: string, next: string): Promise<void> {
  const problem = passwordProblem(next);
  if (problem) throw new ValidationError('request body', [{ path: '$.new_password', message: problem }]);
  if (!(await verifyPassword(await store.passwordHashOf(userId), current))) throw new ApiError(401, 'INVALID_CREDENTIALS', 'current password is wrong');
  if (next === current) throw new ValidationError('request body', [{ path: '$.new_password', message: 'must differ from the current password' }]);
  await store.updateUser(userId, { passwordHash: await hashPassword(next), mustChangePassword: false });
}

/** The user administration service. */
export type UserAdmin = ReturnType<typeof userAdmin>;
