import type { Request } from 'express';
import type { CronSystem } from '@vecron/sdk';
import type { ZodType } from 'zod';
import type { DashboardAdmin } from './admin-port.js';
import type { Lang } from './i18n/index.js';
import type { DashboardImporter } from './importer.js';
import type { DashboardEvent } from './live.js';
import type { DashboardPermission } from './permissions.js';

/** Who is signed in, as the host's auth tells the dashboard. */
export interface DashboardUser {
  id: string;
  /** Shown in the header. */
  name: string;
  /** Permission names the user holds; omitted: every permission (use `authorize` to decide instead). */
  permissions?: ReadonlySet<string> | readonly string[];
  /** False: the user sees only executions whose `trigger_metadata.triggered_by` is their id. @default true */
  seesAllExecutions?: boolean;
}

/** What a sign-in attempt returns. */
export type DashboardLoginResult =
  | { ok: true; session: string; maxAgeSeconds: number }
  | { ok: false; reason: 'invalid' | 'rate_limited' | 'password_change_required' };

/** What a first-login password change returns: a session (signed in) or why not. */
export type DashboardPasswordChangeResult =
  | { ok: true; session: string; maxAgeSeconds: number }
  | { ok: false; reason: 'invalid' | 'rate_limited' | 'rejected'; message?: string };

/** Browser sign-in: a login form whose session value (e.g. a JWT) lives in an HttpOnly, SameSite=Strict cookie. */
export interface DashboardAuth {
  /** @default 'vecron_session' */
  cookieName?: string;
  /** Checks a session cookie value on every request; null signs the browser out. */
  verify(session: string, req: Request): Promise<DashboardUser | null>;
  /** Checks credentials from the login form. */
  login(credentials: { username: string; password: string }, req: Request): Promise<DashboardLoginResult>;
  /**
   * Changes the password of an account that must change it before signing in (login answered
   * `password_change_required`), checking the current one, and signs in. Without it such an account
   * is told to change the password elsewhere. `rejected`: the new password breaks a rule (`message` says which).
   */
  changePassword?(input: { username: string; currentPassword: string; newPassword: string }, req: Request): Promise<DashboardPasswordChangeResult>;
  /** Ends the session server-side at sign-out (so a copied cookie stops working too). */
  logout?(session: string, req: Request): Promise<void>;
  /** How often an open event stream re-checks its session with `verify` and closes when it ended (ms). @default 1000 */
  sessionCheckMs?: number;
}

/** A dashboard action, for the host's audit log. */
export interface DashboardActionRecord {
  action: 'job.create' | 'job.update' | 'job.delete' | 'job.import' | 'job.enable' | 'job.disable' | 'job.trigger' | 'execution.stop' | 'execution.replay' | 'execution.discard' | 'execution.file.download' | 'dead_letters.replay' | 'dead_letters.discard' | 'auth.login' | 'auth.logout' | 'auth.password_change'
    | 'variable.set' | 'variable.delete' | 'calendar.define' | 'calendar.delete'
    | 'user.create' | 'user.roles' | 'user.disable' | 'user.enable' | 'user.password_reset' | 'webhook.create' | 'webhook.rotate' | 'webhook.delete' | 'audit.verify';
  /** `job:<id>`, `execution:<id>`, `variable:<job id or global>:<name>`, `calendar:<name>`, `user:<id>`, `webhook:<id>`. */
  resource: string | null;
  user: DashboardUser | null;
  /** `ok`, or an error code. */
  result: string;
  details: Record<string, unknown>;
}

/** Options of {@link createDashboardRouter}. */
export interface DashboardRouterOptions {
  /** The cron system to show and drive. */
  cron: CronSystem;
  /** URL prefix of links. @default the path the router is mounted at (`req.baseUrl`) */
  basePath?: string;
  /** Hides every action button and refuses every POST except sign-in/out. @default false */
  readOnly?: boolean;
  /**
   * Decides a permission for a request. @default the user's `permissions` when it has them, else allowed
   */
  authorize?(req: Request, permission: DashboardPermission, user: DashboardUser | null): boolean | Promise<boolean>;
  /** Sign-in for browsers. Without it the dashboard is open and says so on every page. @default none */
  auth?: DashboardAuth;
  /** Time zone for displayed times and schedules without one. @default the cron system's `timezone` */
  timezone?: string;
  /** Language when neither `?lang=` nor the cookie nor `Accept-Language` chooses one. @default 'en' */
  defaultLang?: Lang;
  /** Removes secrets (e.g. decrypted sensitive variable values) from an execution's context and errors before display. @default identity */
  scrub?<T>(jobId: string, value: T): Promise<T>;
  /** Event source for live updates (e.g. a hub fed by other processes). @default the cron system's own events */
  subscribe?(listener: (e: DashboardEvent) => void): () => void;
  /** Called after every action (for an audit log). Errors are passed to `onError`. */
  onAction?(record: DashboardActionRecord, req: Request): void | Promise<void>;
  /** Unexpected errors (render failures, audit failures). @default ignored */
  onError?(err: unknown, req: Request | null): void;
  /** Secret signing CSRF tokens. @default random per router (tokens die with the process) */
  csrfSecret?: string | Uint8Array;
  /** Marks cookies `Secure`. @default `req.secure` */
  secureCookies?: boolean;
  /**
   * The executor plugins whose steps the job editor offers: each one's zod `config` schema becomes
   * the form of its steps (through `z.toJSONSchema`), so a plugin gets a form without dashboard code.
   * Pass the same list the cron system was created with. @default none (step configs are JSON boxes)
   */
  executors?: ReadonlyArray<{ readonly type: string; readonly config: ZodType }>;
  /**
   * The host's users, roles, webhooks and audit log, for the administration pages (`/admin/…`).
   * @default none (those pages are absent; variables and calendars come from `cron` and are always there)
   */
  admin?: DashboardAdmin;
  /**
   * Job import from a file (`/editor/import`, permission `job:import`): the host's conversions and
   * per-item rules, shown item by item. @default none (no import page)
   */
  importer?: DashboardImporter;
  /** Shows the "no sign-in" warning. @default true when `auth` is not set */
  showNoAuthBanner?: boolean;
}

