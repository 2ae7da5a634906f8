import { z } from 'zod';
import { ApiError, notFound } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { PERMISSIONS } from '../auth/permissions.js';
import { requireWithinCaller, roleNamesSchema, userAdmin, userCreateSchema, userPatchSchema } from '../auth/user-admin.js';
import { idParam, pagination } from './common.js';

const rolesBody = z.object({ roles: roleNamesSchema }).strict();
const roleBody = z
  .object({ name: z.string().min(1).max(100), description: z.string().max(1000).nullable().optional(), permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length), execution_scope: z.enum(['all', 'own']).default('own') })
  .strict();

/**
 * Users, roles and role assignment. Role changes and disabling revoke the user's tokens at once.
 * Grants never exceed the granter: the rules live in `auth/user-admin.ts`, shared with the dashboard.
 */
export function userRoutes(d: ApiDeps) {
  const users = userAdmin(d.store);
  return [
    defineRoute({
      method: 'get', path: '/users', access: 'user:manage', tag: 'user', summary: 'List users', query: z.object(pagination).strict(),
      async handler(ctx) {
        return { body: { items: await d.store.listUsers(ctx.query.limit, ctx.query.offset) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/users', access: 'user:manage', action: 'user.create', tag: 'user', successStatus: 201, summary: 'Create a user', body: userCreateSchema,
      async handler(ctx) {
        const user = await users.create(ctx.principal!, ctx.body);
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
      method: 'patch', path: '/users/:id', access: 'user:manage', action: 'user.update', tag: 'user', summary: 'Disable/enable a user, rename, or reset the password', body: userPatchSchema,
      async handler(ctx) {
        const id = idParam(ctx.params, 'user');
        ctx.auditDetails.fields = Object.keys(ctx.body);
        return { body: await users.update(ctx.principal!, id, ctx.body) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/users/:id', access: 'user:manage', action: 'user.delete', tag: 'user', summary: 'Delete a user',
      async handler(ctx) {
        const id = idParam(ctx.params, 'user');
        await users.remove(ctx.principal!, id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'put', path: '/users/:id/roles', access: 'role:assign', action: 'user.roles', tag: 'user', summary: "Replace a user's roles (revokes their tokens)", body: rolesBody,
      async handler(ctx) {
        const id = idParam(ctx.params, 'user');
        ctx.auditDetails.roles = ctx.body.roles;
        return { body: await users.setRoles(ctx.principal!, id, ctx.body.roles) };
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
