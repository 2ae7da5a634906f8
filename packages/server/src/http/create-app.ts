import { randomUUID } from 'node:crypto';
import express from 'express';
import { assertSafeJson } from './json-guard.js';
import type { Express, NextFunction, Request, Response, Router } from 'express';
import type { Logger } from 'pino';
import { toErrorResponse } from './api-error.js';
import type { ApiDeps } from './deps.js';
import { mountRoutes } from './route.js';
import type { RouteDef } from './route.js';
import { authRoutes } from '../routes/auth.js';
import { jobRoutes } from '../routes/jobs.js';
import { transferRoutes } from '../routes/transfer.js';
import { executionRoutes } from '../routes/executions.js';
import { executionLogRoutes } from '../routes/execution-logs.js';
import { dlqRoutes } from '../routes/dlq.js';
import { schedulingRoutes } from '../routes/scheduling.js';
import { variableRoutes } from '../routes/variables.js';
import { webhookRoutes } from '../routes/webhooks.js';
import { userRoutes } from '../routes/users.js';
import { auditRoutes } from '../routes/audit.js';
import { systemRoutes } from '../routes/system.js';
import { metaRoutes } from '../routes/meta.js';
import { eventRoutes } from '../routes/events.js';
import type { EventHub } from '../observability/event-hub.js';
import { healthHandler, readyHandler } from '../observability/health.js';
import type { ReadinessCheck } from '../observability/health.js';
import { webhookReceiver } from '../webhooks/receiver.js';

/** Every API route, in matching order (literal paths before `/:id`). */
export function apiRoutes(d: ApiDeps, hub: EventHub): RouteDef<never, never>[] {
  const routes: RouteDef<never, never>[] = [];
  const add = (list: unknown[]): void => {
    routes.push(...(list as RouteDef<never, never>[]));
  };
  add(authRoutes(d));
  add(transferRoutes(d));
  add(jobRoutes(d));
  add(executionRoutes(d));
  add(executionLogRoutes(d));
  add(dlqRoutes(d));
  add(schedulingRoutes(d));
  add(variableRoutes(d));
  add(webhookRoutes(d));
  add(userRoutes(d));
  add(auditRoutes(d));
  add(systemRoutes(d));
  add(eventRoutes(d, hub));
  add(metaRoutes(d, () => routes));
  return routes;
}

/** Builds the express application: `/api/*`, `/webhooks/:id`, `/health`, `/ready`. */
export function createApp(d: ApiDeps & { hub: EventHub; checks: Record<string, ReadinessCheck>; isShuttingDown: () => boolean; authenticate: Parameters<typeof mountRoutes>[2]['authenticate']; dashboard?: (clientIp: (req: Request) => string) => Router }): { app: Express; routes: RouteDef<never, never>[] } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', d.config.api.trust_proxy_hops);
  app.set('query parser', 'simple');
  const clientIp = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';
  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    res.setHeader('x-request-id', given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID());
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-store');
    next();
  });
  app.use(accessLog(d.logger.child({ component: 'access' })));
  app.get('/health', healthHandler('api'));
  app.get('/ready', readyHandler(d.checks, d.isShuttingDown));
  app.use(webhookReceiver({ ...d, clientIp, traceContext: d.traceContext }));

  const api = express.Router();
  api.use(express.json({ limit: d.config.api.body_limit_bytes, strict: false }));
  // Depth ≤ 64, no NUL or lone surrogate anywhere: 400 naming the path, before any route sees it.
  api.use((req: Request, _res: Response, next: NextFunction) => {
    try {
      assertSafeJson(req.body);
      next();
    } catch (err) {
      next(err);
    }
  });
  const routes = apiRoutes(d, d.hub);
  mountRoutes(api, routes, {
    authenticate: d.authenticate,
    audit: d.audit,
    clientIp,
    onAuditError: (err) => d.logger.error({ err }, 'audit append failed'),
    onInternalError: (err, req) => d.logger.error({ err, method: req.method, path: req.path }, 'request failed'),
  });
  app.use('/api', api);
  // The HTML dashboard (its own sign-in form, cookie session, CSRF tokens); see http/dashboard.ts.
  if (d.dashboard) app.use('/dashboard', d.dashboard(clientIp));
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.path}`, request_id: String(res.getHeader('x-request-id') ?? '') } });
  });
  // Body-parser failures (bad JSON, too large) and anything else that escaped a handler.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const out = toErrorResponse(err, String(res.getHeader('x-request-id') ?? ''));
    if (out.status >= 500) (d.logger as Logger).error({ err, path: req.path }, 'request failed');
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
    res.status(out.status).json(out.body);
  });
  return { app, routes };
}

/**
 * One `info` line per finished request (probes excepted): method, route pattern (`/api/jobs/:id`,
 * so log searches group by endpoint), status, duration, user and request id.
 */
export function accessLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path === '/health' || req.path === '/ready') return next();
    const t0 = performance.now();
    res.on('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      logger.info({
        method: req.method,
        route: typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : req.baseUrl || req.path.split('/').slice(0, 3).join('/'),
        status: res.statusCode,
        duration_ms: Math.round((performance.now() - t0) * 10) / 10,
        user: typeof res.locals.user === 'string' ? res.locals.user : null,
        request_id: String(res.getHeader('x-request-id') ?? ''),
      }, 'request');
    });
    next();
  };
}
