/** The permissions the dashboard asks about (the server's RBAC names). */
export const DASHBOARD_PERMISSIONS = [
  'job:read', 'job:write', 'job:execute', 'job:delete', 'execution:read', 'execution:stop', 'execution:replay', 'variable:read',
] as const;

/** One permission the dashboard checks before showing or doing something. */
export type DashboardPermission = (typeof DASHBOARD_PERMISSIONS)[number];
