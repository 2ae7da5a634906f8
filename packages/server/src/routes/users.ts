import { ValidationError } from '@vecron/sdk';
import { z } from 'zod';
import { ApiError, forbidden, notFound } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { hashPassword, passwordProblem } from '../auth/passwords.js';
import { PERMISSIONS } from '../auth/permissions.js';
import type { Permission } from '../auth/permissions.js';
import { permissionsBeyond, permissionsOfRoles } from '../auth/grants.js';
import type { Principal, ServerStore } from '../store/server-store.js';
import { idParam, pagination } from './common.js';

const username = z.string().min(1).max(100).regex(/^[A-Za-z0-9._@-]+$/, 'may contain letters, digits, ".", "_", "@" and "-"');
const password = z.string().min(12, 'must be at least 12 characters').max(256);
const createBody = z
  .object({ username, password, display_name: z.string().max(200).nullable().optional(), roles: z.array(z.string().min(1).max(100)).max(50).default([]), must_change_password: z.boolean().default(true) })
  .strict();
const patchBody = z.object({ disabled: z.boolean().optional(), display_name: z.string().max(200).nullable().optional(), password: password.optional(), must_change_password: z.boolean().optional() }).strict();
const rolesBody = z.object({ roles: z.array(z.string().min(1).max(100)).max(50) }).strict();
const roleBody = z
  .object({ name: z.string().min(1).max(100), description: z.string().max(1000).nullable().optional(), permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length), execution_scope: z.enum(['all', 'own']).default('own') })
  .strict();

/** 403 unless every permission in `wanted` is held by the caller (grants never exceed the granter). */
function requireWithinCaller(caller: Principal, wanted: Iterable<Permission>, what: string): void {
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
 * Users, roles and role assignment. Role changes and disabling revoke the user's tokens at once.
 * Grants never exceed the granter: see {@link permissionsBeyond}.
 */
export function userRoutes(d: ApiDeps) {
  return [
    defineRoute({
      method: 'get', path: '/users', access: 'user:manage', tag: 'user', summary: 'List users', query: z.object(pagination).strict(),
      async handler(ctx) {
        return { body: { items: await d.store.listUsers(ctx.query.limit, ctx.query.offset) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/users', access: 'user:manage', action: 'user.create', tag: 'user', successStatus: 201, summary: 'Create a user', body: createBody,
      async handler(ctx) {
        const b = ctx.body;
        const problem = passwordProblem(b.password);
        if (problem) throw new ValidationError('request body', [{ path: '$.password', message: problem }]);
        if (b.roles.length && !ctx.principal!.permissions.has('role:assign')) throw new ApiError(403, 'FORBIDDEN', 'missing permission role:assign', { details: { permission: 'role:assign' } });
        requireWithinCaller(ctx.principal!, await permissionsOfRoleNames(d.store, b.roles), 'creating a user with these roles');
        const user = await d.store.createUser({ username: b.username, passwordHash: await hashPassword(b.password), displayName: b.display_name ?? null, mustChangePassword: b.must_change_password, roles: b.roles });
        ctx.resource = `user:${user.id}`;
        ctx.auditDetails.username_created = user.username;
        return { status: 201, body: user };
      },
    }),
    defineRoute({
      method: 'get', path: '/users/:id', access: 'user:manage', tag: 'user', summary: 'Get a user',
      async handler(ctx) {
        const u = await d.store.getUser(idParam(ctx.params, 'user'));
        if (!u) throw notFound('user', ctx.params.id!);
        return { body: u };
      },
    }),
    defineRoute({
      method: 'patch', path: '/users/:id', access: 'user:manage', action: 'user.update', tag: 'user', summary: 'Disable/enable a user, rename, or reset the password', body: patchBody,
      async handler(ctx) {
        const id = idParam(ctx.params, 'user');
        const b = ctx.body;
        if (b.disabled && id === ctx.principal!.id) throw new ApiError(409, 'CONFLICT', 'you cannot disable yourself');
        await requireTargetWithinCaller(d.store, ctx.principal!, id, 'changing this user');
        ctx.auditDetails.fields = Object.keys(b);
        const u = await d.store.updateUser(id, {
          ...(b.disabled === undefined ? {} : { disabled: b.disabled }),
          ...(b.display_name === undefined ? {} : { displayName: b.display_name }),
          ...(b.password === undefined ? {} : { passwordHash: await hashPassword(b.password), mustChangePassword: b.must_change_password ?? true }),
          ...(b.must_change_password === undefined || b.password !== undefined ? {} : { mustChangePassword: b.must_change_password }),
        });
        if (!u) throw notFound('user', id);
        return { body: u };
      },
    }),
    defineRoute({
      method: 'delete', path: '/users/:id', access: 'user:manage', action: 'user.delete', tag: 'user', summary: 'Delete a user',
      async handler(ctx) {
        const id = idParam(ctx.params, 'user');
        if (id === ctx.principal!.id) throw new ApiError(409, 'CONFLICT', 'you cannot delete yourself');
        await requireTargetWithinCaller(d.store, ctx.principal!, id, 'deleting this user');
        if (!(await d.store.deleteUser(id))) throw notFound('user', id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'put', path: '/users/:id/roles', access: 'role:assign', action: 'user.roles', tag: 'user', summary: "Replace a user's roles (revokes their tokens)", body: rolesBody,
      async handler(ctx) {
        const id = idParam(ctx.params, 'user');
        ctx.auditDetails.roles = ctx.body.roles;
        await requireTargetWithinCaller(d.store, ctx.principal!, id, "changing this user's roles");
        requireWithinCaller(ctx.principal!, await permissionsOfRoleNames(d.store, ctx.body.roles), 'assigning these roles');
        if (!(await d.store.setRoles(id, ctx.body.roles))) throw notFound('user', id);
        return { body: await d.store.getUser(id) };
      },
    }),
    defineRoute({
      method: 'get', path: '/roles', access: 'role:assign', tag: 'role', summary: 'List roles and their permissions',
      async handler() {
        return { body: { items: await d.store.listRoles(), permissions: PERMISSIONS } };
      },
    }),
    defineRoute({
      method: 'post', path: '/roles', access: 'user:manage', action: 'role.create', tag: 'role', successStatus: 201, summary: 'Create a custom role', body: roleBody,
      async handler(ctx) {
        requireWithinCaller(ctx.principal!, ctx.body.permissions, 'creating this role');
        const r = await d.store.createRole({ name: ctx.body.name, description: ctx.body.description ?? null, permissions: ctx.body.permissions, executionScope: ctx.body.execution_scope });
        ctx.resource = `role:${r.id}`;
        return { status: 201, body: r };
      },
    }),
    defineRoute({
      method: 'delete', path: '/roles/:id', access: 'user:manage', action: 'role.delete', tag: 'role', summary: 'Delete a custom role (built-in roles stay)',
      async handler(ctx) {
        const id = idParam(ctx.params, 'role');
        const role = await d.store.getRole(id);
        if (role) requireWithinCaller(ctx.principal!, role.permissions, 'deleting this role');
        const r = await d.store.deleteRole(id);
        if (r === 'missing') throw notFound('role', id);
        if (r === 'builtin') throw new ApiError(409, 'CONFLICT', 'built-in roles cannot be deleted');
        return { status: 204 };
      },
    }),
  ];
}
