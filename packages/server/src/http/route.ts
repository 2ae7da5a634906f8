import type { Request, Response, Router } from 'express';
import { ValidationError, zodIssues } from '@vecron/sdk';
import type { ZodType } from 'zod';
import type { RouteAccess } from '../auth/permissions.js';
import type { Principal } from '../store/server-store.js';
import type { AuditLog } from '../audit/audit-log.js';
import { ApiError, forbidden, toErrorResponse, unauthenticated } from './api-error.js';

/** A response a handler returns: status (default 200), JSON body, headers. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a handler receives. */
export interface RouteContext<B = unknown, Q = unknown> {
  req: Request;
  res: Response;
  body: B;
  query: Q;
  params: Record<string, string>;
  /** The caller; null only on `public` routes. */
  principal: Principal | null;
  ip: string;
  /** Set by the handler to name the resource in the audit record (`job:<id>`). */
  resource: string | null;
  /** Extra audit details (never secrets). */
  auditDetails: Record<string, unknown>;
}

/** One API route: method, path, the access it needs, validation schemas and the handler. */
export interface RouteDef<B = unknown, Q = unknown> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path relative to `/api`, e.g. `/jobs/:id`. */
  path: string;
  /** The permission the route requires; every route must declare one. */
  access: RouteAccess;
  /** Audit action name (required for every mutating route), e.g. `job.create`. */
  action?: string;
  tag: string;
  summary: string;
  body?: ZodType<B>;
  query?: ZodType<Q>;
  /** Name of the OpenAPI component schema of the success body (`Job`, `JobList`), when documented. */
  response?: string;
  /** Success status documented in OpenAPI. @default 200 */
  successStatus?: number;
  /** Allowed while the user must still change their password. @default false */
  allowPendingPasswordChange?: boolean;
  handler(ctx: RouteContext<B, Q>): Promise<Reply | void>;
}

/** Helps TypeScript infer a route's body and query types. */
export function defineRoute<B = unknown, Q = unknown>(def: RouteDef<B, Q>): RouteDef<B, Q> {
  return def;
}

/** Everything the route wrapper needs from the server. */
export interface RouteRuntime {
  authenticate(req: Request): Promise<Principal | null>;
  audit: AuditLog;
  clientIp(req: Request): string;
  onAuditError(err: unknown): void;
  onInternalError(err: unknown, req: Request): void;
}

/** Metadata kept for every mounted route; the RBAC test and the OpenAPI document read it. */
export const ROUTE_META = Symbol.for('vecron.route');

const parse = <T>(schema: ZodType<T> | undefined, input: unknown, what: string): T => {
  if (!schema) return input as T;
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(what, zodIssues(r.error));
  return r.data;
};

/** Registers routes on an express router, each wrapped with auth, RBAC, validation, audit and errors. */
export function mountRoutes(router: Router, routes: readonly RouteDef<never, never>[], rt: RouteRuntime): void {
  for (const def of routes as unknown as RouteDef[]) {
    if (!def.access) throw new Error(`route ${def.method.toUpperCase()} ${def.path} declares no access`);
    if (def.method !== 'get' && !def.action) throw new Error(`mutating route ${def.method.toUpperCase()} ${def.path} has no audit action`);
    const handler = async (req: Request, res: Response): Promise<void> => {
      const ip = rt.clientIp(req);
      const ctx: RouteContext = { req, res, body: undefined, query: undefined, params: req.params as Record<string, string>, principal: null, ip, resource: req.params.id ? `${def.tag}:${req.params.id}` : null, auditDetails: {} };
      let outcome = 'ok';
      let denied = false;
      let send: () => void;
      try {
        if (def.access !== 'public') {
          const p = await rt.authenticate(req);
          if (!p) {
            denied = true;
            throw unauthenticated();
          }
          ctx.principal = p;
          res.locals.user = p.username; // for the access log
          if (p.mustChangePassword && !def.allowPendingPasswordChange) {
            denied = true;
            throw new ApiError(403, 'PASSWORD_CHANGE_REQUIRED', 'change your password first (POST /api/auth/password)');
          }
          if (def.access !== 'authenticated' && !p.permissions.has(def.access)) {
            denied = true;
            throw forbidden(`missing permission ${def.access}`, { permission: def.access });
          }
        }
        ctx.query = parse(def.query, req.query, 'query string');
        ctx.body = parse(def.body, req.body === undefined ? {} : req.body, 'request body');
        const reply = await def.handler(ctx);
        send = () => {
          if (res.headersSent) return;
          if (!reply) {
            res.status(204).end();
            return;
          }
          for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
          res.status(reply.status ?? 200);
          if (reply.body === undefined) res.end();
          else res.json(reply.body);
        };
      } catch (err) {
        const out = toErrorResponse(err, String(res.getHeader('x-request-id') ?? ''));
        outcome = out.body.error.code;
        if (out.status === 403 || out.status === 401) denied = true;
        if (out.status >= 500) rt.onInternalError(err, req);
        send = () => {
          if (res.headersSent) return;
          for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
          res.status(out.status).json(out.body);
        };
      }
      // Written before the response goes out, so a client that saw the answer finds the record.
      if (def.method !== 'get' || denied) {
        await rt.audit
          .append({
            actorId: ctx.principal?.id ?? null,
            actor: ctx.principal?.username ?? (typeof ctx.auditDetails.username === 'string' ? ctx.auditDetails.username : 'anonymous'),
            action: def.action ?? `${def.tag}.read`,
            resource: ctx.resource,
            ip,
            result: denied ? `denied:${outcome}` : outcome,
            details: { method: def.method.toUpperCase(), path: req.originalUrl.split('?')[0], ...ctx.auditDetails },
          })
          .catch(rt.onAuditError);
      }
      send();
    };
    Object.defineProperty(handler, ROUTE_META, { value: def });
    router[def.method](def.path, handler);
  }
}
