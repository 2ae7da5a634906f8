/**
 * `@vecron/dashboard` — the vecron live dashboard: server-rendered HTML with htmx, as an express
 * router that the reference server mounts at `/dashboard` and any host app can mount too.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createCronSystem } from '@vecron/sdk';
 * import { createDashboardRouter } from '@vecron/dashboard';
 *
 * const cron = createCronSystem({ executors: [myExecutor] });
 * await cron.start();
 * const app = express();
 * app.use('/dashboard', createDashboardRouter({ cron, auth: myBrowserAuth }));
 * app.listen(8080, '127.0.0.1');
 * ```
 *
 * Exports: `createDashboardRouter` and its option types, `html` / `raw` / `escapeHtml` / `SafeHtml`
 * (the escaping template used by every view), `DASHBOARD_PERMISSIONS`, the dictionaries `en`, `vi`.
 *
 * @packageDocumentation
 */
export { createDashboardRouter, DASHBOARD_ROUTER } from './router.js';
export type { DashboardPasswordChangeResult } from './router.js';
export type { DashboardRouterOptions, DashboardAuth, DashboardUser, DashboardLoginResult, DashboardActionRecord } from './router.js';
export type {
  DashboardAdmin, DashboardAdminRole, DashboardAdminUser, DashboardAdminWebhook, DashboardAdminWebhookSecret, DashboardAuditFilter, DashboardAuditRecord, DashboardAuditVerification,
} from './router.js';
export type { DashboardEvent } from './live.js';
export type { DashboardImporter, DashboardImportItem, DashboardImportReport } from './importer.js';
export { DASHBOARD_PERMISSIONS } from './permissions.js';
export type { DashboardPermission } from './permissions.js';
export { html, raw, escapeHtml, SafeHtml } from './html.js';
export type { HtmlValue } from './html.js';
export { en, vi, LANGUAGES } from './i18n/index.js';
export type { Lang, MessageKey, Dictionary } from './i18n/index.js';
