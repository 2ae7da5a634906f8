import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import { NotFoundError } from '@vecron/sdk';
import { createData } from './data.js';
import { createEditorModel } from './editor-model.js';
import { createKit } from './kit.js';
import type { DashboardRouterOptions } from './options.js';
import { actionRoutes } from './routes/actions.js';
import { adminRoutes } from './routes/admin.js';
import { assetRoutes } from './routes/assets.js';
import { authRoutes } from './routes/auth.js';
import { calendarRoutes } from './routes/calendars.js';
import { editorRoutes } from './routes/editor.js';
import { problemAnswerer } from './routes/errors.js';
import { eventRoutes } from './routes/events.js';
import { fragmentRoutes } from './routes/fragments.js';
import { importRoutes } from './routes/import.js';
import { historyRoutes, upcomingRoutes } from './routes/history.js';
import { logRoutes } from './routes/logs.js';
import { pageRoutes } from './routes/pages.js';
import { sessionMiddleware } from './routes/session.js';
import { variableRoutes } from './routes/variables.js';

export type {
  DashboardAdmin, DashboardAdminRole, DashboardAdminUser, DashboardAdminWebhook, DashboardAdminWebhookSecret, DashboardAuditFilter, DashboardAuditRecord, DashboardAuditVerification,
} from './admin-port.js';
export type { DashboardPasswordChangeResult } from './options.js';
export type { DashboardActionRecord, DashboardAuth, DashboardLoginResult, DashboardRouterOptions, DashboardUser } from './options.js';

/** Marks a router made by {@link createDashboardRouter} (route-table audits of a host app can recognise it). */
export const DASHBOARD_ROUTER: unique symbol = Symbol.for('vecron.dashboard');

/**
 * Creates the dashboard as an express router: jobs, job detail (explain, fire ledger, run history
 * charts), executions with filters, execution detail (step timeline, outputs), dead letters, a
 * timeline of a night across jobs, upcoming fires by day, live updates over SSE,
 * English and Vietnamese. Mount it anywhere: `app.use('/dashboard', createDashboardRouter({ cron }))`.
 *
 * Every POST needs the CSRF token of the page (forms carry it, htmx sends `X-CSRF-Token`); every
 * interpolated value is HTML-escaped; sensitive variables are shown masked; answers are
 * compressed with brotli or gzip when the browser accepts it.
 */
export function createDashboardRouter(options: DashboardRouterOptions): Router {
  const kit = createKit(options);
  const data = createData(kit);
  const answerProblem = problemAnswerer(kit);
  const router = express.Router();

  assetRoutes(router);
  sessionMiddleware(router, kit, answerProblem);
  authRoutes(router, kit);
  pageRoutes(router, kit, data);
  historyRoutes(router, kit, data);
  upcomingRoutes(router, kit, data);
  fragmentRoutes(router, kit, data);
  logRoutes(router, kit, data);
  eventRoutes(router, kit);
  actionRoutes(router, kit, data);
  // Before the editor's `/editor/:id`, which would take `import` for a job id.
  if (options.importer) importRoutes(router, kit, options.importer);
  editorRoutes(router, kit, data, createEditorModel(options.executors ?? []));
  variableRoutes(router, kit);
  calendarRoutes(router, kit);
  if (options.admin) adminRoutes(router, kit, options.admin);

  const answer = (req: Request, res: Response, err: unknown): void => {
    answerProblem(req, res, err).catch((e: unknown) => kit.onError(e, req));
  };
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => answer(req, res, err));
  // Unknown paths under the dashboard.
  router.use((req: Request, res: Response) => answer(req, res, new NotFoundError('page', req.path)));
  Object.defineProperty(router, DASHBOARD_ROUTER, { value: true });
  return router;
}
