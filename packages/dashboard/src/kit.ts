import type { NextFunction, Request, Response } from 'express';
import { NotFoundError } from '@vecron/sdk';
import type { CronSystem, Execution, ExecutionFilter } from '@vecron/sdk';
import { sendCompressed } from './compress.js';
import { createCsrf } from './csrf.js';
import type { Csrf } from './csrf.js';
import type { SafeHtml } from './html.js';
import type { Lang } from './i18n/index.js';
import { createLiveEvents } from './live.js';
import type { LiveEvents } from './live.js';
import type { DashboardActionRecord, DashboardAuth, DashboardRouterOptions, DashboardUser } from './options.js';
import type { DashboardPermission } from './permissions.js';
import type { ViewContext } from './views/context.js';
import { flash } from './views/components.js';
import { layout } from './views/layout.js';
import type { Section } from './views/layout.js';

/** Per-request state kept in `res.locals.dashboard`. */
export interface RequestState {
  user: DashboardUser | null;
  session: string;
  csrfCookie: string;
  view: ViewContext;
  allowed: Set<DashboardPermission>;
}

/** An answer with an HTTP status and a message for the user. */
export class HttpProblem extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const LANG_COOKIE = 'vecron_lang';
export const CSRF_COOKIE = 'vecron_csrf';
export const YEAR_SECONDS = 365 * 24 * 3600;

/** A non-empty string, else undefined (query and form values). */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** True for a request htmx made. */
export const isHtmx = (req: Request): boolean => req.get('hx-request') === 'true';

/** The `?page=` number (1 … 100 000), 1 when absent or bad. */
export const pageOf = (req: Request): number => {
  const n = Number(str(req.query.page) ?? '1');
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
};

/** The idempotency key a Run now / Replay form carries (printable ASCII, ≤ 100), or undefined. */
export function idempotencyKeyOf(req: Request): string | undefined {
  const k = (req.body as Record<string, unknown> | undefined)?.idempotency_key;
  return typeof k === 'string' && /^[\x21-\x7e]{1,100}$/.test(k) ? k : undefined;
}

/** What every route module shares: the options resolved once, and per-request helpers. */
export interface Kit {
  cron: CronSystem;
  options: DashboardRouterOptions;
  readOnly: boolean;
  timeZone: string;
  defaultLang: Lang;
  auth: DashboardAuth | null;
  sessionCookie: string;
  csrf: Csrf;
  live: LiveEvents;
  scrub<T>(jobId: string, value: T): Promise<T>;
  onError(err: unknown, req: Request | null): void;
  state(res: Response): RequestState;
  /** Throws 403 unless the request holds the permission. */
  need(res: Response, permission: DashboardPermission): void;
  /** The `:id` route parameter when it is a UUID; else the thing is reported missing. */
  uuidParam(req: Request, what: 'job' | 'execution'): string;
  /** Restricts an execution query to the user's own runs when they see only those. */
  scopeOf(res: Response): Pick<ExecutionFilter, 'triggerMetadata'>;
  canSee(res: Response, e: Execution): boolean;
  /** Sends HTML (compressed when the browser accepts it), never cached. */
  send(req: Request, res: Response, body: SafeHtml, status?: number): Promise<void>;
  /** Sends a whole page in the layout. */
  page(req: Request, res: Response, o: { title: string; section: Section; body: SafeHtml; counters?: SafeHtml | undefined; status?: number }): Promise<void>;
  /** Hands an action to `onAction` (the host's audit log); its failures go to `onError`. */
  audit(req: Request, res: Response, record: Omit<DashboardActionRecord, 'user'>, user?: DashboardUser | null): Promise<void>;
  /** Middleware of a POST that changes something: refused in read-only mode and without the permission. */
  mutating(permission: DashboardPermission): (req: Request, res: Response, next: NextFunction) => void;
  /** The answer to an action: a flash for htmx, a redirect back for a plain form. */
  afterAction(req: Request, res: Response, message: SafeHtml | string): Promise<void>;
}

/** Resolves the options into the kit every route module uses. */
export function createKit(options: DashboardRouterOptions): Kit {
  const readOnly = options.readOnly ?? false;
  const state = (res: Response): RequestState => res.locals.dashboard as RequestState;
  const need = (res: Response, permission: DashboardPermission): void => {
    if (!state(res).allowed.has(permission)) throw new HttpProblem(403, state(res).view.t('error.forbidden', { permission }));
  };
  const send = async (req: Request, res: Response, body: SafeHtml, status = 200): Promise<void> => {
    res.status(status).type('html').setHeader('cache-control', 'no-store');
    await sendCompressed(req, res, Buffer.from(body.value, 'utf8'));
  };
  const onError = options.onError ?? ((): void => undefined);
  const kit: Kit = {
    cron: options.cron,
    options,
    readOnly,
    timeZone: options.timezone ?? options.cron.timezone,
    defaultLang: options.defaultLang ?? 'en',
    auth: options.auth ?? null,
    sessionCookie: options.auth?.cookieName ?? 'vecron_session',
    csrf: createCsrf(options.csrfSecret),
    live: createLiveEvents(options.cron, options.subscribe),
    scrub: options.scrub ?? (async <T>(_jobId: string, v: T): Promise<T> => v),
    onError,
    state,
    need,
    uuidParam(req, what) {
      const id = String(req.params.id ?? '');
      if (!UUID.test(id)) throw new NotFoundError(what, id);
      return id;
    },
    scopeOf(res) {
      const u = state(res).user;
      return u && u.seesAllExecutions === false ? { triggerMetadata: { triggered_by: u.id } } : {};
    },
    canSee(res, e) {
      const u = state(res).user;
      return !u || u.seesAllExecutions !== false || e.triggerMetadata.triggered_by === u.id;
    },
    send,
    page: (req, res, o) =>
      send(req, res, layout(state(res).view, { title: o.title, section: o.section, body: o.body, ...(o.counters ? { counters: o.counters } : {}) }), o.status),
    async audit(req, res, record, user) {
      if (!options.onAction) return;
      try {
        await options.onAction({ ...record, user: user !== undefined ? user : res.locals.dashboard ? state(res).user : null }, req);
      } catch (err) {
        onError(err, req);
      }
    },
    mutating: (permission) => (_req, res, next) => {
      if (readOnly) throw new HttpProblem(403, state(res).view.t('banner.readOnly'));
      need(res, permission);
      next();
    },
    async afterAction(req, res, message) {
      if (isHtmx(req)) {
        res.setHeader('hx-trigger', 'vecron-refresh');
        await send(req, res, flash('ok', message));
        return;
      }
      // Without JavaScript: back to the page the form was on.
      const v = state(res).view;
      const ref = req.get('referer');
      let back = v.url('/');
      if (ref) {
        try {
          const u = new URL(ref);
          if (u.host === req.get('host') && u.pathname.startsWith(v.base || '/')) back = u.pathname + u.search;
        } catch {
          // not a URL: keep the default
        }
      }
      res.redirect(303, back);
    },
  };
  return kit;
}
