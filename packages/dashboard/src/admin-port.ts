import type { DashboardUser } from './options.js';

/** A user as the administration pages show it. */
export interface DashboardAdminUser {
  id: string;
  username: string;
  displayName: string | null;
  disabled: boolean;
  mustChangePassword: boolean;
  roles: string[];
  createdAt: Date;
}

/** A role and what it allows. */
export interface DashboardAdminRole {
  name: string;
  description: string | null;
  permissions: string[];
  /** `own`: members see only the executions they triggered. */
  executionScope: 'all' | 'own';
  builtIn: boolean;
}

/** A webhook endpoint (never its secret). */
export interface DashboardAdminWebhook {
  id: string;
  jobId: string;
  /** The URL callers post to. */
  url: string;
  /** Secrets still accepted (the current one, and rotated ones in their grace period). */
  activeSecrets: number;
  createdAt: Date;
}

/** A webhook with its secret, shown once after create and rotate. */
export interface DashboardAdminWebhookSecret {
  webhook: DashboardAdminWebhook;
  secret: string;
  /** A caller sample (e.g. a `curl` command that signs a request), shown with the secret. */
  sample: string;
}

/** A filter of the audit log. */
export interface DashboardAuditFilter {
  /** Username. */
  actor?: string;
  /** Action, e.g. `job.create`. */
  action?: string;
  /** Resource, e.g. `job:<id>`. */
  resource?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** One audit record. */
export interface DashboardAuditRecord {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  resource: string | null;
  ip: string | null;
  result: string;
  details: Record<string, unknown>;
}

/** What a check of the audit log's hash chain found. */
export interface DashboardAuditVerification {
  ok: boolean;
  checked: number;
  firstBadSeq: number | null;
  reason: string | null;
}

/**
 * The host's administration, for the dashboard's users, webhooks and audit pages. The host
 * implements it with the same services as its own API, so the rules stay in one place: every
 * method gets the signed-in user (`actor`) and refuses what that user may not do (errors with an
 * HTTP `status`, such as the server's `ApiError`, are shown with that status). The dashboard checks
 * the permission of each page and action too (`user:manage`, `role:assign`, `webhook:read`,
 * `webhook:write`, `system:audit`). Without it the users, webhooks and audit pages are absent.
 */
export interface DashboardAdmin {
  /** Users by username. */
  listUsers(actor: DashboardUser, page: { limit: number; offset: number }): Promise<DashboardAdminUser[]>;
  /** Creates a user who must change the password at first sign-in. */
  createUser(actor: DashboardUser, input: { username: string; password: string; displayName: string | null; roles: string[] }): Promise<DashboardAdminUser>;
  /** Replaces a user's roles (their sessions end). */
  setRoles(actor: DashboardUser, userId: string, roles: string[]): Promise<DashboardAdminUser>;
  /** Disables or enables a user (disabling ends their sessions). */
  setDisabled(actor: DashboardUser, userId: string, disabled: boolean): Promise<DashboardAdminUser>;
  /** Sets a one-time password the user must change at next sign-in. */
  resetPassword(actor: DashboardUser, userId: string, password: string): Promise<DashboardAdminUser>;
  /** Every role with its permissions. */
  listRoles(actor: DashboardUser): Promise<DashboardAdminRole[]>;
  listWebhooks(actor: DashboardUser, page: { limit: number; offset: number }): Promise<DashboardAdminWebhook[]>;
  createWebhook(actor: DashboardUser, jobId: string): Promise<DashboardAdminWebhookSecret>;
  /** A new secret; older ones stay valid for the host's grace period. */
  rotateWebhook(actor: DashboardUser, webhookId: string): Promise<DashboardAdminWebhookSecret>;
  deleteWebhook(actor: DashboardUser, webhookId: string): Promise<void>;
  /** Audit records, newest first. */
  listAudit(actor: DashboardUser, filter: DashboardAuditFilter): Promise<DashboardAuditRecord[]>;
  /** Checks the audit log's hash chain, when it has one. */
  verifyAudit?(actor: DashboardUser): Promise<DashboardAuditVerification>;
}
