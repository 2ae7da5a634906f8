/**
 * The permissions of the reference server (docs/architecture.md#the-reference-server): seventeen,
 * plus `execution:replay` (replay and discard dead-letter runs), which makes the eighteen. Every API route declares one of these, or `authenticated` / `public`.
 */
export const PERMISSIONS = [
  'job:read', 'job:write', 'job:execute', 'job:delete', 'job:import', 'job:export',
  'execution:read', 'execution:stop', 'execution:replay',
  'variable:read', 'variable:write', 'variable:encrypt',
  'webhook:read', 'webhook:write',
  'user:manage', 'role:assign',
  'system:config', 'system:audit',
] as const;

/** One permission. */
export type Permission = (typeof PERMISSIONS)[number];

/** What a route requires: a permission, any signed-in user, or nobody (public). */
export type RouteAccess = Permission | 'authenticated' | 'public';

/** A role seeded at first start. */
export interface SeedRole {
  name: string;
  description: string;
  permissions: Permission[];
  executionScope: 'all' | 'own';
}

/** The two built-in roles. */
export const SEED_ROLES: readonly SeedRole[] = [
  { name: 'Admin', description: 'Every permission; sees every execution.', permissions: [...PERMISSIONS], executionScope: 'all' },
  {
    name: 'Regular User',
    description: 'Reads jobs and variables, triggers jobs, sees and stops only the executions they triggered.',
    permissions: ['job:read', 'job:execute', 'execution:read', 'execution:stop', 'variable:read'],
    executionScope: 'own',
  },
];

/** Type guard for a permission name. */
export const isPermission = (v: string): v is Permission => (PERMISSIONS as readonly string[]).includes(v);
