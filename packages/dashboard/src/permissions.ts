/** The permissions the dashboard asks about (the server's RBAC names). */
export const DASHBOARD_PERMISSIONS = [
  'job:read', 'job:write', 'job:import', 'job:execute', 'job:delete', 'execution:read', 'execution:stop', 'execution:replay', 'variable:read',
  // Administration pages (variables, calendars through job:write, users and roles, webhooks, audit log).
  'variable:write', 'variable:encrypt', 'webhook:read', 'webhook:write', 'user:manage', 'role:assign', 'system:audit',
] as const;

/** One permission the dashboard checks before showing or doing something. */
export type DashboardPermission = (typeof DASHBOARD_PERMISSIONS)[number];
