import { randomUUID } from 'node:crypto';
import type { SqlClient } from '@vecron/sdk';
import { ConflictError, ValidationError } from '@vecron/sdk';
import type { Permission } from '../auth/permissions.js';
import { SEED_ROLES } from '../auth/permissions.js';
import { sqlStateOf } from '@vecron/sdk/sql';

/** A user as the API shows it (never the hash). */
export interface UserView {
  id: string;
  username: string;
  display_name: string | null;
  disabled: boolean;
  must_change_password: boolean;
  roles: string[];
  created_at: string;
  updated_at: string;
}

/** A role. */
export interface RoleView {
  id: string;
  name: string;
  description: string | null;
  permissions: Permission[];
  execution_scope: 'all' | 'own';
  builtin: boolean;
}

/** Who is calling, resolved from the database on every request. */
export interface Principal {
  id: string;
  username: string;
  tokenVersion: number;
  disabled: boolean;
  mustChangePassword: boolean;
  permissions: Set<Permission>;
  /** True when any role lets the user see every execution. */
  seesAllExecutions: boolean;
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
const pgUnique = (err: unknown): boolean => sqlStateOf(err) === '23505';

type Row = Record<string, unknown>;

/** Users, roles and role assignments in the vecron database (server schema `store/schema/`). */
export function createServerStore(db: SqlClient) {
  const toRole = (r: Row): RoleView => ({
    id: String(r.id), name: String(r.name), description: (r.description as string | null) ?? null,
    permissions: (typeof r.permissions === 'string' ? JSON.parse(r.permissions) : r.permissions) as Permission[],
    execution_scope: r.execution_scope as 'all' | 'own', builtin: Boolean(r.builtin),
  });
  const rolesOf = async (userId: string): Promise<RoleView[]> =>
    (await db.query(`SELECT r.* FROM vecron_roles r JOIN vecron_user_roles ur ON ur.role_id = r.id WHERE ur.user_id = $1 ORDER BY r.name`, [userId])).rows.map(toRole);
  const toUser = async (r: Row): Promise<UserView> => ({
    id: String(r.id), username: String(r.username), display_name: (r.display_name as string | null) ?? null,
    disabled: Boolean(r.disabled), must_change_password: Boolean(r.must_change_password),
    roles: (await rolesOf(String(r.id))).map((x) => x.name), created_at: iso(r.created_at), updated_at: iso(r.updated_at),
  });

  const store = {
    /** Inserts the built-in roles once. */
    async seedRoles(): Promise<void> {
      for (const r of SEED_ROLES) {
        await db.query(
          `INSERT INTO vecron_roles (id, name, description, permissions, execution_scope, builtin, created_at)
           VALUES ($1, $2, $3, $4::jsonb, $5, true, now()) ON CONFLICT (name) DO NOTHING`,
          [randomUUID(), r.name, r.description, JSON.stringify(r.permissions), r.executionScope],
        );
      }
    },
    async countUsers(): Promise<number> {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM vecron_users');
      return rows[0]?.n ?? 0;
    },
    async createUser(u: { username: string; passwordHash: string; displayName?: string | null; mustChangePassword: boolean; roles: string[] }): Promise<UserView> {
      const id = randomUUID();
      try {
        await db.transaction(async (tx) => {
          await tx.query(
            `INSERT INTO vecron_users (id, username, display_name, password_hash, must_change_password, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, now(), now())`,
            [id, u.username, u.displayName ?? null, u.passwordHash, u.mustChangePassword],
          );
          await setRolesTx(tx, id, u.roles);
        });
      } catch (err) {
        if (pgUnique(err)) throw new ConflictError(`user ${u.username} already exists`);
        throw err;
      }
      return (await store.getUser(id))!;
    },
    async getUser(id: string): Promise<UserView | null> {
      if (!isUuid(id)) return null;
      const { rows } = await db.query('SELECT * FROM vecron_users WHERE id = $1', [id]);
      return rows[0] ? toUser(rows[0]) : null;
    },
    async listUsers(limit: number, offset: number): Promise<UserView[]> {
      const { rows } = await db.query('SELECT * FROM vecron_users ORDER BY username LIMIT $1 OFFSET $2', [limit, offset]);
      return Promise.all(rows.map(toUser));
    },
    /** For login: id, hash and state by username. */
    async credentials(username: string): Promise<{ id: string; passwordHash: string; disabled: boolean; tokenVersion: number; mustChangePassword: boolean } | null> {
      // PostgreSQL text cannot hold NUL: no such user can exist (and the query would fail).
      if (username.includes('\u0000')) return null;
      const { rows } = await db.query('SELECT id, password_hash, disabled, token_version, must_change_password FROM vecron_users WHERE username = $1', [username]);
      const r = rows[0];
      return r ? { id: String(r.id), passwordHash: String(r.password_hash), disabled: Boolean(r.disabled), tokenVersion: Number(r.token_version), mustChangePassword: Boolean(r.must_change_password) } : null;
    },
    async passwordHashOf(id: string): Promise<string | null> {
      const { rows } = await db.query('SELECT password_hash FROM vecron_users WHERE id = $1', [id]);
      return rows[0] ? String(rows[0].password_hash) : null;
    },
    /** Updates fields; every change that matters for access bumps the token version. */
    async updateUser(id: string, patch: { disabled?: boolean; displayName?: string | null; passwordHash?: string; mustChangePassword?: boolean }): Promise<UserView | null> {
      if (!isUuid(id)) return null;
      const bump = patch.disabled !== undefined || patch.passwordHash !== undefined;
      const { rows } = await db.query(
        `UPDATE vecron_users SET
           disabled = COALESCE($2, disabled), display_name = CASE WHEN $3 THEN $4 ELSE display_name END,
           password_hash = COALESCE($5, password_hash), must_change_password = COALESCE($6, must_change_password),
           token_version = token_version + CASE WHEN $7 THEN 1 ELSE 0 END, updated_at = now()
         WHERE id = $1 RETURNING *`,
        [id, patch.disabled ?? null, patch.displayName !== undefined, patch.displayName ?? null, patch.passwordHash ?? null, patch.mustChangePassword ?? null, bump],
      );
      return rows[0] ? toUser(rows[0]) : null;
    },
    /** Ends every session of a user (sign-out): their tokens and dashboard cookies stop working at once. */
    async revokeTokens(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      return (await db.query('UPDATE vecron_users SET token_version = token_version + 1 WHERE id = $1', [id])).rowCount > 0;
    },
    async deleteUser(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      return (await db.query('DELETE FROM vecron_users WHERE id = $1', [id])).rowCount > 0;
    },
    /** Replaces a user's roles and revokes their tokens. Unknown role names → the missing names. */
    async setRoles(userId: string, roleNames: string[]): Promise<{ missing: string[] } | null> {
      if (!isUuid(userId)) return null;
      return db.transaction(async (tx) => {
        const { rows } = await tx.query('UPDATE vecron_users SET token_version = token_version + 1, updated_at = now() WHERE id = $1 RETURNING id', [userId]);
        if (!rows[0]) return null;
        return setRolesTx(tx, userId, roleNames);
      });
    },
    async listRoles(): Promise<RoleView[]> {
      return (await db.query('SELECT * FROM vecron_roles ORDER BY name')).rows.map(toRole);
    },
    /** The roles with these names (unknown names are left out). */
    async rolesNamed(names: string[]): Promise<RoleView[]> {
      if (!names.length) return [];
      return (await db.query('SELECT * FROM vecron_roles WHERE name = ANY($1::text[])', [[...new Set(names)]])).rows.map(toRole);
    },
    async getRole(id: string): Promise<RoleView | null> {
      if (!isUuid(id)) return null;
      const { rows } = await db.query('SELECT * FROM vecron_roles WHERE id = $1', [id]);
      return rows[0] ? toRole(rows[0]) : null;
    },
    async createRole(r: { name: string; description?: string | null; permissions: Permission[]; executionScope: 'all' | 'own' }): Promise<RoleView> {
      try {
        const { rows } = await db.query(
          `INSERT INTO vecron_roles (id, name, description, permissions, execution_scope, builtin, created_at)
           VALUES ($1, $2, $3, $4::jsonb, $5, false, now()) RETURNING *`,
          [randomUUID(), r.name, r.description ?? null, JSON.stringify(r.permissions), r.executionScope],
        );
        return toRole(rows[0]!);
      } catch (err) {
        if (pgUnique(err)) throw new ConflictError(`role ${r.name} already exists`);
        throw err;
      }
    },
    /** Deletes a custom role (built-ins are kept) and revokes its holders' tokens. */
    async deleteRole(id: string): Promise<'deleted' | 'builtin' | 'missing'> {
      const role = await store.getRole(id);
      if (!role) return 'missing';
      if (role.builtin) return 'builtin';
      await db.transaction(async (tx) => {
        await tx.query('UPDATE vecron_users SET token_version = token_version + 1 WHERE id IN (SELECT user_id FROM vecron_user_roles WHERE role_id = $1)', [id]);
        await tx.query('DELETE FROM vecron_roles WHERE id = $1', [id]);
      });
      return 'deleted';
    },
    /** The caller as of now: current token version, state and permissions. */
    async principal(userId: string): Promise<Principal | null> {
      if (!isUuid(userId)) return null;
      const { rows } = await db.query('SELECT id, username, token_version, disabled, must_change_password FROM vecron_users WHERE id = $1', [userId]);
      const u = rows[0];
      if (!u) return null;
      const roles = await rolesOf(userId);
      return {
        id: String(u.id), username: String(u.username), tokenVersion: Number(u.token_version), disabled: Boolean(u.disabled),
        mustChangePassword: Boolean(u.must_change_password),
        permissions: new Set(roles.flatMap((r) => r.permissions)), seesAllExecutions: roles.some((r) => r.execution_scope === 'all'),
      };
    },
  };

  async function setRolesTx(tx: SqlClient, userId: string, roleNames: string[]): Promise<{ missing: string[] }> {
    const names = [...new Set(roleNames)];
    const { rows } = await tx.query<{ id: string; name: string }>('SELECT id, name FROM vecron_roles WHERE name = ANY($1::text[])', [names]);
    const missing = names.filter((n) => !rows.some((r) => r.name === n));
    if (missing.length) throw new ValidationError('role assignment', [{ path: '$.roles', message: `unknown roles: ${missing.join(', ')}` }]);
    await tx.query('DELETE FROM vecron_user_roles WHERE user_id = $1', [userId]);
    for (const r of rows) await tx.query('INSERT INTO vecron_user_roles (user_id, role_id) VALUES ($1, $2)', [userId, r.id]);
    return { missing };
  }

  return store;
}

/** The server store. */
export type ServerStore = ReturnType<typeof createServerStore>;
export { isUuid };
