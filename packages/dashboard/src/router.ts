import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import { ConflictError, NotFoundError, ValidationError, toErrorRecord } from '@vecron/sdk';
import type { CronSystem, Execution, ExecutionFilter, ExecutionStatus, TriggerSource } from '@vecron/sdk';
import { parseCookies, serializeCookie } from './cookies.js';
import { createCsrf } from './csrf.js';
import { createFormatter } from './format.js';
import { html } from './html.js';
import type { SafeHtml } from './html.js';
import { isLang, translator } from './i18n/index.js';
import type { Lang } from './i18n/index.js';
import { createLiveEvents } from './live.js';
import type { DashboardEvent } from './live.js';
import { DASHBOARD_PERMISSIONS } from './permissions.js';
import type { DashboardPermission } from './permissions.js';
import { flash, shortId } from './views/components.js';
import { urlBuilder } from './views/context.js';
import type { ViewContext } from './views/context.js';
import { executionDetail } from './views/execution-detail.js';
import { executionFilters, executionsTable, SOURCES } from './views/executions.js';
import type { ExecutionQuery } from './views/executions.js';
import { jobDetailBody, jobHeader, ledgerCard } from './views/job-detail.js';
import { countersView, jobsTable } from './views/jobs.js';
import type { Counters, JobRow } from './views/jobs.js';
import { layout } from './views/layout.js';
import type { Section } from './views/layout.js';
import { errorBody, loginBody } from './views/misc.js';

/** The idempotency key a Run now / Replay form carries (printable ASCII, ≤ 100), or undefined. */
function idempotencyKeyOf(req: Request): string | undefined {
  const k = (req.body as Record<string, unknown> | undefined)?.idempotency_key;
  return typeof k === 'string' && /^[\x21-\x7e]{1,100}$/.test(k) ? k : undefined;
}

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

/** Browser sign-in: a login form whose session value (e.g. a JWT) lives in an HttpOnly, SameSite=Strict cookie. */
export interface DashboardAuth {
  /** @default 'vecron_session' */
  cookieName?: string;
  /** Checks a session cookie value on every request; null signs the browser out. */
  verify(session: string, req: Request): Promise<DashboardUser | null>;
  /** Checks credentials from the login form. */
  login(credentials: { username: string; password: string }, req: Request): Promise<DashboardLoginResult>;
  /** Ends the session server-side at sign-out (so a copied cookie stops working too). */
  logout?(session: string, req: Request): Promise<void>;
  /** How often an open event stream re-checks its session with `verify` and closes when it ended (ms). @default 1000 */
  sessionCheckMs?: number;
}

/** A dashboard action, for the host's audit log. */
export interface DashboardActionRecord {
  action: 'job.enable' | 'job.disable' | 'job.trigger' | 'execution.stop' | 'execution.replay' | 'auth.login' | 'auth.logout';
  /** `job:<id>` or `execution:<id>`. */
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
  /** Time zone for displayed times and schedules without one. @default 'Asia/Ho_Chi_Minh' */
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
  /** Shows the "no sign-in" warning. @default true when `auth` is not set */
  showNoAuthBanner?: boolean;
}

/** Marks a router made by {@link createDashboardRouter} (route-table audits of a host app can recognise it). */
export const DASHBOARD_ROUTER: unique symbol = Symbol.for('vecron.dashboard');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE_SIZE = 25;
const JOBS_PAGE_SIZE = 50;
const COUNT_CAP = 1000;
const LANG_COOKIE = 'vecron_lang';
const CSRF_COOKIE = 'vecron_csrf';
const YEAR_SECONDS = 365 * 24 * 3600;

const require = createRequire(import.meta.url);

interface Asset {
  body: Buffer;
  type: string;
}

function loadAssets(): Record<string, Asset> {
  const own = (name: string): Buffer => readFileSync(new URL(`../assets/${name}`, import.meta.url));
  return {
    'htmx.min.js': { body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js')), type: 'text/javascript; charset=utf-8' },
    'dashboard.js': { body: own('dashboard.js'), type: 'text/javascript; charset=utf-8' },
    'dashboard.css': { body: own('dashboard.css'), type: 'text/css; charset=utf-8' },
  };
}

/** Per-request state kept in `res.locals.dashboard`. */
interface RequestState {
  user: DashboardUser | null;
  session: string;
  csrfCookie: string;
  view: ViewContext;
  allowed: Set<DashboardPermission>;
}

class HttpProblem extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Creates the dashboard as an express router: jobs, job detail (explain, fire ledger), executions
 * with filters, execution detail (step timeline, outputs), dead letters, live updates over SSE,
 * English and Vietnamese. Mount it anywhere: `app.use('/dashboard', createDashboardRouter({ cron }))`.
 *
 * Every POST needs the CSRF token of the page (forms carry it, htmx sends `X-CSRF-Token`); every
 * interpolated value is HTML-escaped; sensitive variables are shown masked.
 */
export function createDashboardRouter(options: DashboardRouterOptions): Router {
  const { cron } = options;
  const readOnly = options.readOnly ?? false;
  const timeZone = options.timezone ?? 'Asia/Ho_Chi_Minh';
  const defaultLang = options.defaultLang ?? 'en';
  const auth = options.auth ?? null;
  const sessionCookie = auth?.cookieName ?? 'vecron_session';
  const csrf = createCsrf(options.csrfSecret);
  const assets = loadAssets();
  const scrub = options.scrub ?? (async <T>(_jobId: string, v: T): Promise<T> => v);
  const onError = options.onError ?? ((): void => undefined);
  const live = createLiveEvents(cron, options.subscribe);
  const router = express.Router();

  const state = (res: Response): RequestState => res.locals.dashboard as RequestState;
  const isHtmx = (req: Request): boolean => req.get('hx-request') === 'true';
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const pageOf = (req: Request): number => {
    const n = Number(str(req.query.page) ?? '1');
    return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
  };
  const uuidParam = (req: Request, what: 'job' | 'execution'): string => {
    const id = String(req.params.id ?? '');
    if (!UUID.test(id)) throw new NotFoundError(what, id);
    return id;
  };
  const need = (res: Response, permission: DashboardPermission): void => {
    if (!state(res).allowed.has(permission)) throw new HttpProblem(403, state(res).view.t('error.forbidden', { permission }));
  };
  const scopeOf = (res: Response): Pick<ExecutionFilter, 'triggerMetadata'> => {
    const u = state(res).user;
    return u && u.seesAllExecutions === false ? { triggerMetadata: { triggered_by: u.id } } : {};
  };
  const canSee = (res: Response, e: Execution): boolean => {
    const u = state(res).user;
    return !u || u.seesAllExecutions !== false || e.triggerMetadata.triggered_by === u.id;
  };
  const send = (res: Response, body: SafeHtml, status = 200): void => {
    res.status(status).type('html').setHeader('cache-control', 'no-store');
    res.send(body.value);
  };
  const page = (res: Response, title: string, section: Section, body: SafeHtml, counters?: SafeHtml, status = 200): void =>
    send(res, layout(state(res).view, { title, section, body, ...(counters ? { counters } : {}) }), status);
  const audit = async (req: Request, res: Response, record: Omit<DashboardActionRecord, 'user'>, user?: DashboardUser | null): Promise<void> => {
    if (!options.onAction) return;
    try {
      await options.onAction({ ...record, user: user !== undefined ? user : res.locals.dashboard ? state(res).user : null }, req);
    } catch (err) {
      onError(err, req);
    }
  };

  // --- static assets: public, cached for a year (the URL carries the version) ---
  router.get('/assets/:file', (req, res) => {
    const a = assets[String(req.params.file)];
    if (!a) {
      res.status(404).type('text').send('not found');
      return;
    }
    res.setHeader('cache-control', 'public, max-age=31536000, immutable');
    res.setHeader('x-content-type-options', 'nosniff');
    res.type(a.type).send(a.body);
  });

  // --- per request: language, CSRF cookie, session, permissions, view context ---
  router.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const cookies = parseCookies(req.get('cookie'));
    const secure = options.secureCookies ?? req.secure;
    const setCookies: string[] = [];
    const base = options.basePath ?? req.baseUrl;
    const cookiePath = base || '/';
    const queryLang = str(req.query.lang);
    let lang: Lang;
    if (isLang(queryLang)) {
      lang = queryLang;
      setCookies.push(serializeCookie(LANG_COOKIE, lang, { path: cookiePath, maxAge: YEAR_SECONDS, secure, sameSite: 'Lax' }));
    } else if (isLang(cookies[LANG_COOKIE])) lang = cookies[LANG_COOKIE];
    else lang = /^\s*vi\b/i.test(req.get('accept-language') ?? '') ? 'vi' : defaultLang;
    let csrfCookie = cookies[CSRF_COOKIE];
    if (!csrfCookie || !/^[\w-]{20,64}$/.test(csrfCookie)) {
      csrfCookie = csrf.newCookie();
      setCookies.push(serializeCookie(CSRF_COOKIE, csrfCookie, { path: cookiePath, secure }));
    }
    if (setCookies.length) res.append('set-cookie', setCookies);
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'same-origin');

    const session = auth ? (cookies[sessionCookie] ?? '') : '';
    let user: DashboardUser | null = null;
    if (auth && session) {
      try {
        user = await auth.verify(session, req);
      } catch (err) {
        onError(err, req);
      }
    }
    const allowed = new Set<DashboardPermission>();
    for (const p of DASHBOARD_PERMISSIONS) {
      let ok: boolean;
      if (options.authorize) ok = await options.authorize(req, p, user);
      else if (user?.permissions) ok = (user.permissions instanceof Set ? user.permissions : new Set(user.permissions as readonly string[])).has(p);
      else ok = true;
      if (ok) allowed.add(p);
    }
    const t = translator(lang);
    const path = req.originalUrl.slice(req.baseUrl.length) || '/';
    const view: ViewContext = {
      base, lang, t,
      f: createFormatter(lang, timeZone, t),
      csrfToken: csrf.token(csrfCookie, session),
      readOnly,
      can: (p) => allowed.has(p),
      userName: user?.name ?? null,
      showNoAuthBanner: options.showNoAuthBanner ?? !auth,
      currentPath: path.startsWith('/') ? path : `/${path}`,
      defaultTimeZone: timeZone,
      url: urlBuilder(base),
    };
    res.locals.dashboard = { user, session, csrfCookie, view, allowed } satisfies RequestState;

    if (req.method === 'POST') {
      // Cross-site requests are refused before anything else (SameSite=Strict covers the cookie; this covers the token).
      const site = req.get('sec-fetch-site');
      const origin = req.get('origin');
      const sameOrigin = (!site || site === 'same-origin' || site === 'none') && (!origin || origin === `${req.protocol}://${req.get('host')}`);
      const submitted = req.get('x-csrf-token') ?? (typeof req.body?._csrf === 'string' ? (req.body._csrf as string) : undefined);
      if (!sameOrigin || !csrf.verify(cookies[CSRF_COOKIE], session, submitted)) {
        answerProblem(req, res, new HttpProblem(403, t('error.csrf')));
        return;
      }
    }
    const isPublic = req.path === '/login' || (req.path === '/logout' && req.method === 'POST');
    if (auth && !user && !isPublic) {
      const loginUrl = view.url('/login', { next: req.method === 'GET' && !isHtmx(req) && req.path !== '/events' ? view.currentPath : undefined });
      if (isHtmx(req)) {
        res.setHeader('hx-redirect', loginUrl);
        res.status(401).end();
      } else if (req.method === 'GET' && req.path !== '/events' && !req.path.startsWith('/fragments/')) res.redirect(303, loginUrl);
      else res.status(401).type('text').send('sign in first');
      return;
    }
    next();
  });

  // --- sign-in ---
  const safeNext = (v: ViewContext, next: unknown): string => {
    const n = typeof next === 'string' ? next : '';
    // Only paths inside the dashboard: no scheme, no `//host`, no backslash tricks.
    return /^\/(?![/\\])[^\s\\]*$/.test(n) ? `${v.base}${n}` : v.url('/');
  };
  router.get('/login', (req, res) => {
    const v = state(res).view;
    if (!auth) {
      res.redirect(303, v.url('/'));
      return;
    }
    page(res, v.t('login.title'), 'login', loginBody(v, { error: null, next: str(req.query.next) ?? '', username: '' }));
  });
  router.post('/login', async (req, res) => {
    const v = state(res).view;
    if (!auth) {
      res.redirect(303, v.url('/'));
      return;
    }
    const username = typeof req.body?.username === 'string' ? (req.body.username as string).slice(0, 200) : '';
    const password = typeof req.body?.password === 'string' ? (req.body.password as string).slice(0, 1024) : '';
    const next = typeof req.body?.next === 'string' ? (req.body.next as string) : '';
    const result = username && password ? await auth.login({ username, password }, req) : ({ ok: false, reason: 'invalid' } as const);
    if (!result.ok) {
      await audit(req, res, { action: 'auth.login', resource: null, result: result.reason, details: { username } });
      const key = result.reason === 'rate_limited' ? 'login.rateLimited' : result.reason === 'password_change_required' ? 'login.passwordChange' : 'login.invalid';
      page(res, v.t('login.title'), 'login', loginBody(v, { error: v.t(key), next, username }), undefined, result.reason === 'rate_limited' ? 429 : 401);
      return;
    }
    const secure = options.secureCookies ?? req.secure;
    // A fresh CSRF cookie too: tokens issued before sign-in stop working.
    res.append('set-cookie', [
      serializeCookie(sessionCookie, result.session, { path: v.base || '/', maxAge: result.maxAgeSeconds, secure }),
      serializeCookie(CSRF_COOKIE, csrf.newCookie(), { path: v.base || '/', secure }),
    ]);
    await audit(req, res, { action: 'auth.login', resource: null, result: 'ok', details: { username } }, await auth.verify(result.session, req).catch(() => null));
    res.redirect(303, safeNext(v, next));
  });
  router.post('/logout', async (req, res) => {
    const v = state(res).view;
    const session = parseCookies(req.get('cookie'))[sessionCookie];
    if (auth?.logout && session) await auth.logout(session, req);
    await audit(req, res, { action: 'auth.logout', resource: null, result: 'ok', details: {} });
    res.append('set-cookie', serializeCookie(sessionCookie, '', { path: v.base || '/', maxAge: 0, secure: options.secureCookies ?? req.secure }));
    res.redirect(303, auth ? v.url('/login') : v.url('/'));
  });

  // --- data loading ---
  const counters = async (res: Response): Promise<Counters> => {
    const scope = scopeOf(res);
    const since = new Date(Date.now() - 24 * 3600_000);
    const count = async (status: ExecutionStatus[], from?: Date): Promise<number> =>
      (await cron.executions.list({ status, ...(from ? { createdFrom: from } : {}), ...scope, limit: COUNT_CAP })).length;
    const [running, pending, success24h, failed24h, deadLetters] = await Promise.all([
      count(['running', 'cancelling']), count(['pending']), count(['success'], since), count(['failed', 'timeout'], since), count(['dead_letter']),
    ]);
    return { running, pending, success24h, failed24h, deadLetters, cap: COUNT_CAP };
  };
  const countersIfAllowed = async (res: Response): Promise<SafeHtml | undefined> =>
    state(res).allowed.has('execution:read') ? countersView(state(res).view, await counters(res)) : undefined;

  const jobRows = async (res: Response, pageNo: number): Promise<{ rows: JobRow[]; hasMore: boolean }> => {
    const jobs = await cron.jobs.list({ limit: JOBS_PAGE_SIZE + 1, offset: (pageNo - 1) * JOBS_PAGE_SIZE });
    const seeExecutions = state(res).allowed.has('execution:read');
    const rows = await Promise.all(
      jobs.slice(0, JOBS_PAGE_SIZE).map(async (job): Promise<JobRow> => {
        const [nextFires, last] = await Promise.all([
          job.enabled && job.definition.schedule ? cron.jobs.preview(job.id, 2).catch(() => []) : Promise.resolve([]),
          seeExecutions ? cron.executions.list({ jobId: job.id, ...scopeOf(res), limit: 1 }).then((l) => l[0] ?? null) : Promise.resolve(null),
        ]);
        return { job, nextFires, last };
      }),
    );
    return { rows, hasMore: jobs.length > JOBS_PAGE_SIZE };
  };

  const jobNames = async (ids: Iterable<string>): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    await Promise.all([...new Set(ids)].map(async (id) => {
      const j = await cron.jobs.get(id);
      if (j) out.set(id, j.name);
    }));
    return out;
  };

  const executionQuery = (req: Request): ExecutionQuery => {
    const status = str(req.query.status);
    const job = str(req.query.job);
    const source = str(req.query.source);
    return {
      ...(status && ['pending', 'running', 'cancelling', 'success', 'failed', 'timeout', 'cancelled', 'dead_letter'].includes(status) ? { status } : {}),
      ...(job && UUID.test(job) ? { job } : {}),
      ...(source && (SOURCES as readonly string[]).includes(source) ? { source } : {}),
    };
  };
  type TableMode = 'list' | 'compact' | 'dlq';
  const executionsSection = async (res: Response, q: ExecutionQuery, pageNo: number, mode: TableMode): Promise<SafeHtml> => {
    const size = mode === 'compact' ? 10 : PAGE_SIZE;
    const items = await cron.executions.list({
      ...(mode === 'dlq' ? { status: 'dead_letter' as ExecutionStatus } : q.status ? { status: q.status as ExecutionStatus } : {}),
      ...(q.job ? { jobId: q.job } : {}),
      ...(q.source ? { triggerSource: q.source as TriggerSource } : {}),
      ...scopeOf(res),
      limit: size + 1,
      offset: mode === 'compact' ? 0 : (pageNo - 1) * size,
    });
    const shown = items.slice(0, size);
    let replayedBy: Map<string, string> | undefined;
    if (mode === 'dlq') {
      replayedBy = new Map();
      await Promise.all(shown.map(async (e) => {
        const [r] = await cron.executions.list({ triggerMetadata: { replay_of: e.id }, limit: 1 });
        if (r) replayedBy!.set(e.id, r.id);
      }));
    }
    return executionsTable(state(res).view, {
      items: shown, jobNames: await jobNames(shown.map((e) => e.jobId)), query: q, page: pageNo, hasMore: items.length > size, mode,
      pagePath: mode === 'dlq' ? '/dead-letters' : '/executions', ...(replayedBy ? { replayedBy } : {}),
    });
  };

  const mustGetJob = async (req: Request): Promise<NonNullable<Awaited<ReturnType<CronSystem['jobs']['get']>>>> => {
    const id = uuidParam(req, 'job');
    const job = await cron.jobs.get(id);
    if (!job) throw new NotFoundError('job', id);
    return job;
  };
  const mustGetExecution = async (req: Request, res: Response): Promise<Execution> => {
    const id = uuidParam(req, 'execution');
    const e = await cron.executions.get(id);
    // Someone else's execution is reported as missing: its existence is not theirs to learn.
    if (!e || !canSee(res, e)) throw new NotFoundError('execution', id);
    return e;
  };
  const executionSection = async (res: Response, e: Execution): Promise<SafeHtml> => {
    const [job, steps] = await Promise.all([cron.jobs.get(e.jobId), cron.executions.steps(e.id)]);
    const clean = await scrub(e.jobId, { context: e.context, error: e.error, steps });
    return executionDetail(state(res).view, { execution: { ...e, context: clean.context, error: clean.error }, job, steps: clean.steps });
  };

  // --- pages ---
  router.get('/', async (req, res) => {
    need(res, 'job:read');
    const v = state(res).view;
    const pageNo = pageOf(req);
    const { rows, hasMore } = await jobRows(res, pageNo);
    const recent = state(res).allowed.has('execution:read') ? await executionsSection(res, {}, 1, 'compact') : null;
    page(res, v.t('jobs.title'), 'jobs', html`<div class="page-head"><h1>${v.t('jobs.title')}</h1></div>
${jobsTable(v, rows, pageNo, hasMore)}
${recent ? html`<h2 class="section-title">${v.t('jobs.recent')}</h2>${recent}` : ''}`, await countersIfAllowed(res));
  });

  router.get('/jobs/:id', async (req, res) => {
    need(res, 'job:read');
    const v = state(res).view;
    const job = await mustGetJob(req);
    const [explanation, ledger, variables] = await Promise.all([
      cron.explain(job.id, { n: 10 }).catch((err: unknown) => {
        onError(err, req);
        return null;
      }),
      recentLedger(job.id),
      state(res).allowed.has('variable:read') ? cron.variables.list(job.id).then(async (own) => [...(await cron.variables.list(null)), ...own]) : Promise.resolve(null),
    ]);
    const executions = state(res).allowed.has('execution:read') ? await executionsSection(res, { job: job.id }, 1, 'compact') : null;
    page(res, job.name, 'jobs', html`${jobHeader(v, job)}
${executions ? html`<section class="card"><h2>${v.t('jobs.recent')} · <a class="small" href="${v.url('/executions', { job: job.id })}">${v.t('nav.executions')} →</a></h2>${executions}</section>` : ''}
${jobDetailBody(v, { job, explanation, ledger, variables })}`, await countersIfAllowed(res));
  });

  const recentLedger = async (jobId: string) => {
    const entries = await cron.ledger(jobId, { from: new Date(Date.now() - 7 * 24 * 3600_000), limit: 5_000 });
    return entries.slice(-50).reverse();
  };

  router.get('/executions', async (req, res) => {
    need(res, 'execution:read');
    const v = state(res).view;
    const q = executionQuery(req);
    const jobs = (await cron.jobs.list({ limit: 500 })).map((j) => ({ id: j.id, name: j.name }));
    page(res, v.t('executions.title'), 'executions', html`<div class="page-head"><h1>${v.t('executions.title')}</h1></div>
${executionFilters(v, q, jobs)}
${await executionsSection(res, q, pageOf(req), 'list')}`, await countersIfAllowed(res));
  });

  router.get('/executions/:id', async (req, res) => {
    need(res, 'execution:read');
    const e = await mustGetExecution(req, res);
    page(res, state(res).view.t('execution.title', { id: e.id.slice(0, 8) }), 'executions', await executionSection(res, e), await countersIfAllowed(res));
  });

  router.get('/dead-letters', async (req, res) => {
    need(res, 'execution:read');
    const v = state(res).view;
    page(res, v.t('deadLetters.title'), 'dead-letters', html`<div class="page-head"><h1>${v.t('deadLetters.title')}</h1><span class="muted">${v.t('deadLetters.intro')}</span></div>
${await executionsSection(res, {}, pageOf(req), 'dlq')}`, await countersIfAllowed(res));
  });

  // --- fragments for live refresh ---
  router.get('/fragments/counters', async (_req, res) => {
    need(res, 'execution:read');
    send(res, countersView(state(res).view, await counters(res)));
  });
  router.get('/fragments/jobs', async (req, res) => {
    need(res, 'job:read');
    const { rows, hasMore } = await jobRows(res, pageOf(req));
    send(res, jobsTable(state(res).view, rows, pageOf(req), hasMore));
  });
  router.get('/fragments/executions', async (req, res) => {
    need(res, 'execution:read');
    const mode = str(req.query.mode);
    send(res, await executionsSection(res, executionQuery(req), pageOf(req), mode === 'compact' || mode === 'dlq' ? mode : 'list'));
  });
  router.get('/fragments/jobs/:id/header', async (req, res) => {
    need(res, 'job:read');
    send(res, jobHeader(state(res).view, await mustGetJob(req)));
  });
  router.get('/fragments/jobs/:id/ledger', async (req, res) => {
    need(res, 'job:read');
    const job = await mustGetJob(req);
    send(res, ledgerCard(state(res).view, job.id, await recentLedger(job.id)));
  });
  router.get('/fragments/executions/:id', async (req, res) => {
    need(res, 'execution:read');
    send(res, await executionSection(res, await mustGetExecution(req, res)));
  });

  // --- live events (SSE) ---
  router.get('/events', (req, res) => {
    const st = state(res);
    if (!st.allowed.has('execution:read') && !st.allowed.has('job:read')) throw new HttpProblem(403, st.view.t('error.forbidden', { permission: 'execution:read' }));
    const detailed = !st.user || st.user.seesAllExecutions !== false;
    res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 3000\n\nevent: ready\ndata: {}\n\n');
    let id = 0;
    const off = live.subscribe((e) => {
      // Users who see only their own runs get the kind of change, not whose run it was.
      const data = detailed ? { job_id: e.jobId ?? null, execution_id: e.executionId ?? null, status: e.status ?? null } : {};
      res.write(`id: ${++id}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`);
    });
    const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    beat.unref();
    // The stream ends with its session (sign-out, disabled user, role change, …).
    const session = parseCookies(req.get('cookie'))[sessionCookie];
    const recheck = auth && session
      ? setInterval(() => {
          void auth.verify(session, req).then(
            (u) => {
              if (!u) res.end();
            },
            () => res.end(),
          );
        }, auth.sessionCheckMs ?? 1000)
      : null;
    recheck?.unref();
    const done = (): void => {
      clearInterval(beat);
      if (recheck) clearInterval(recheck);
      off();
    };
    req.on('close', done);
    res.on('close', done);
  });

  // --- actions ---
  const afterAction = (req: Request, res: Response, message: SafeHtml | string): void => {
    if (isHtmx(req)) {
      res.setHeader('hx-trigger', 'vecron-refresh');
      send(res, flash('ok', message));
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
        // keep the default
      }
    }
    res.redirect(303, back);
  };
  const mutating = (permission: DashboardPermission) => (_req: Request, res: Response, next: NextFunction): void => {
    if (readOnly) throw new HttpProblem(403, state(res).view.t('banner.readOnly'));
    need(res, permission);
    next();
  };

  router.post('/jobs/:id/run', mutating('job:execute'), async (req, res) => {
    const job = await mustGetJob(req);
    const u = state(res).user;
    try {
      const key = idempotencyKeyOf(req);
      const { executionId } = await cron.trigger(job.id, { ...(key ? { idempotencyKey: `dashboard:${key}` } : {}), metadata: { via: 'dashboard', ...(u ? { triggered_by: u.id, triggered_by_username: u.name } : {}) } });
      await audit(req, res, { action: 'job.trigger', resource: `job:${job.id}`, result: 'ok', details: { execution_id: executionId } });
      const v = state(res).view;
      afterAction(req, res, html`${v.t('jobs.started', { id: executionId.slice(0, 8) })} <a href="${v.url(`/executions/${executionId}`)}" data-testid="started-execution">${shortId(executionId)}</a>`);
    } catch (err) {
      await audit(req, res, { action: 'job.trigger', resource: `job:${job.id}`, result: toErrorRecord(err).code, details: {} });
      throw err;
    }
  });
  const toggle = (enable: boolean) => async (req: Request, res: Response): Promise<void> => {
    const job = await mustGetJob(req);
    const updated = enable ? await cron.jobs.enable(job.id) : await cron.jobs.disable(job.id);
    await audit(req, res, { action: enable ? 'job.enable' : 'job.disable', resource: `job:${job.id}`, result: 'ok', details: {} });
    live.publish({ type: 'job.updated', jobId: job.id });
    const v = state(res).view;
    afterAction(req, res, v.t(enable ? 'jobs.enabledDone' : 'jobs.disabledDone', { name: updated.name }));
  };
  router.post('/jobs/:id/enable', mutating('job:write'), toggle(true));
  router.post('/jobs/:id/disable', mutating('job:write'), toggle(false));

  router.post('/executions/:id/cancel', mutating('execution:stop'), async (req, res) => {
    const e = await mustGetExecution(req, res);
    const status = await cron.executions.cancel(e.id);
    await audit(req, res, { action: 'execution.stop', resource: `execution:${e.id}`, result: status ? 'ok' : 'CONFLICT', details: { status } });
    if (!status) throw new ConflictError(`execution is already ${e.status}`);
    afterAction(req, res, state(res).view.t('execution.cancelled', { status: state(res).view.t(`status.${status}`) }));
  });
  router.post('/executions/:id/replay', mutating('execution:replay'), async (req, res) => {
    const e = await mustGetExecution(req, res);
    const fromStart = req.body?.from_start === '1';
    const key = idempotencyKeyOf(req);
    const r = await cron.executions.replay(e.id, { fromStart, ...(key ? { idempotencyKey: `dashboard:${key}` } : {}) });
    await audit(req, res, { action: 'execution.replay', resource: `execution:${e.id}`, result: 'ok', details: { new_execution_id: r.executionId, from_start: fromStart } });
    const v = state(res).view;
    afterAction(req, res, html`${v.t('execution.replayed', { id: r.executionId.slice(0, 8) })} <a href="${v.url(`/executions/${r.executionId}`)}">${shortId(r.executionId)}</a>`);
  });

  // --- errors: a page for navigation, a flash for htmx ---
  const answerProblem = (req: Request, res: Response, err: unknown): void => {
    const st = res.locals.dashboard as RequestState | undefined;
    const t = st?.view.t ?? translator(defaultLang);
    let status = 500;
    let message = t('error.title');
    if (err instanceof HttpProblem) [status, message] = [err.status, err.message];
    else if (err instanceof NotFoundError) [status, message] = [404, t('error.notFound')];
    else if (err instanceof ConflictError || err instanceof ValidationError) [status, message] = [err instanceof ConflictError ? 409 : 400, err.message];
    else onError(err, req);
    if (res.headersSent) return;
    if (isHtmx(req) || !st || req.path.startsWith('/fragments/')) {
      send(res, flash('error', message), status);
      return;
    }
    page(res, t('error.title'), 'error', errorBody(st.view, message), undefined, status);
  };
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => answerProblem(req, res, err));
  // Unknown paths under the dashboard.
  router.use((req: Request, res: Response) => answerProblem(req, res, new NotFoundError('page', req.path)));
  Object.defineProperty(router, DASHBOARD_ROUTER, { value: true });
  return router;
}
