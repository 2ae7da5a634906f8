import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import { parseCookies, serializeCookie } from '../cookies.js';
import { createFormatter } from '../format.js';
import { isLang, translator } from '../i18n/index.js';
import type { Lang } from '../i18n/index.js';
import type { Kit, RequestState } from '../kit.js';
import { CSRF_COOKIE, HttpProblem, isHtmx, LANG_COOKIE, str, YEAR_SECONDS } from '../kit.js';
import type { DashboardUser } from '../options.js';
import { DASHBOARD_PERMISSIONS } from '../permissions.js';
import type { DashboardPermission } from '../permissions.js';
import { urlBuilder } from '../views/context.js';
import { IMPORT_MAX_BYTES } from './import.js';
import type { ViewContext } from '../views/context.js';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Per request: form parsing, language, CSRF cookie, security headers, session, permissions and
 * the view context; then the CSRF check of every POST and the sign-in gate.
 */
export function sessionMiddleware(router: Router, kit: Kit, answerProblem: (req: Request, res: Response, err: unknown) => Promise<void>): void {
  // The job editor posts whole definitions (one field per setting); everything else is small.
  // Job files for the import are larger than an ordinary form (routes/import.ts).
  router.use('/editor/import', express.urlencoded({ extended: false, limit: IMPORT_MAX_BYTES + 64 * 1024, parameterLimit: 10 }));
  router.use('/editor', express.urlencoded({ extended: false, limit: '512kb', parameterLimit: 5000 }));
  router.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const cookies = parseCookies(req.get('cookie'));
    const { lang, csrfCookie } = cookiesAndHeaders(kit, req, res, cookies);
    const state = await requestState(kit, req, lang, csrfCookie, kit.auth ? (cookies[kit.sessionCookie] ?? '') : '');
    res.locals.dashboard = state;
    if (req.method === 'POST' && !csrfPassed(kit, req, cookies, state.session)) {
      // Cross-site requests are refused before anything else (SameSite=Strict covers the cookie; this covers the token).
      await answerProblem(req, res, new HttpProblem(403, state.view.t('error.csrf')));
      return;
    }
    if (signInRequired(kit, req, res, state)) return;
    next();
  });
}

/** Picks the language (query, cookie, `Accept-Language`), sets the language and CSRF cookies and the security headers. */
function cookiesAndHeaders(kit: Kit, req: Request, res: Response, cookies: Record<string, string | undefined>): { lang: Lang; csrfCookie: string } {
  const { options, csrf } = kit;
  const secure = options.secureCookies ?? req.secure;
  const setCookies: string[] = [];
  const cookiePath = (options.basePath ?? req.baseUrl) || '/';
  const queryLang = str(req.query.lang);
  let lang: Lang;
  if (isLang(queryLang)) {
    lang = queryLang;
    setCookies.push(serializeCookie(LANG_COOKIE, lang, { path: cookiePath, maxAge: YEAR_SECONDS, secure, sameSite: 'Lax' }));
  } else if (isLang(cookies[LANG_COOKIE])) lang = cookies[LANG_COOKIE];
  else lang = /^\s*vi\b/i.test(req.get('accept-language') ?? '') ? 'vi' : kit.defaultLang;
  let csrfCookie = cookies[CSRF_COOKIE];
  if (!csrfCookie || !/^[\w-]{20,64}$/.test(csrfCookie)) {
    csrfCookie = csrf.newCookie();
    setCookies.push(serializeCookie(CSRF_COOKIE, csrfCookie, { path: cookiePath, secure }));
  }
  if (setCookies.length) res.append('set-cookie', setCookies);
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'same-origin');
  return { lang, csrfCookie };
}

/** The signed-in user (a failed verification is reported and counts as signed out), their permissions and the view context. */
async function requestState(kit: Kit, req: Request, lang: Lang, csrfCookie: string, session: string): Promise<RequestState> {
  const { options, auth, csrf } = kit;
  let user: DashboardUser | null = null;
  if (auth && session) {
    try {
      user = await auth.verify(session, req);
    } catch (err) {
      kit.onError(err, req);
    }
  }
  const allowed = await permissionsOf(kit, req, user);
  const t = translator(lang);
  const base = options.basePath ?? req.baseUrl;
  const path = req.originalUrl.slice(req.baseUrl.length) || '/';
  const view: ViewContext = {
    base, lang, t,
    f: createFormatter(lang, kit.timeZone, t),
    csrfToken: csrf.token(csrfCookie, session),
    readOnly: kit.readOnly,
    can: (p) => allowed.has(p),
    userName: user?.name ?? null,
    hasAdmin: options.admin !== undefined,
    showNoAuthBanner: options.showNoAuthBanner ?? !auth,
    currentPath: path.startsWith('/') ? path : `/${path}`,
    defaultTimeZone: kit.timeZone,
    url: urlBuilder(base),
  };
  return { user, session, csrfCookie, view, allowed } satisfies RequestState;
}

/** The dashboard permissions of `user`: `options.authorize`, else the user's own list, else all. */
async function permissionsOf({ options }: Kit, req: Request, user: DashboardUser | null): Promise<Set<DashboardPermission>> {
  const allowed = new Set<DashboardPermission>();
  for (const p of DASHBOARD_PERMISSIONS) {
    let ok: boolean;
    if (options.authorize) ok = await options.authorize(req, p, user);
    else if (user?.permissions) ok = (user.permissions instanceof Set ? user.permissions : new Set(user.permissions as readonly string[])).has(p);
    else ok = true;
    if (ok) allowed.add(p);
  }
  return allowed;
}

/** A POST passes when it is same-origin and carries the CSRF token of its cookie and session. */
function csrfPassed({ csrf }: Kit, req: Request, cookies: Record<string, string | undefined>, session: string): boolean {
  const site = req.get('sec-fetch-site');
  const origin = req.get('origin');
  const sameOrigin = (!site || site === 'same-origin' || site === 'none') && (!origin || origin === `${req.protocol}://${req.get('host')}`);
  const submitted = req.get('x-csrf-token') ?? (typeof req.body?._csrf === 'string' ? (req.body._csrf as string) : undefined);
  return sameOrigin && csrf.verify(cookies[CSRF_COOKIE], session, submitted);
}

/** The sign-in gate: answers (redirect or 401) and returns true when a signed-out user asks for anything but the sign-in pages. */
function signInRequired({ auth }: Kit, req: Request, res: Response, { user, view }: RequestState): boolean {
  const isPublic = req.path === '/login' || (req.path === '/login/password' && req.method === 'POST') || (req.path === '/logout' && req.method === 'POST');
  if (!auth || user || isPublic) return false;
  const loginUrl = view.url('/login', { next: req.method === 'GET' && !isHtmx(req) && req.path !== '/events' ? view.currentPath : undefined });
  if (isHtmx(req)) {
    res.setHeader('hx-redirect', loginUrl);
    res.status(401).end();
  } else if (req.method === 'GET' && req.path !== '/events' && !req.path.startsWith('/fragments/')) res.redirect(303, loginUrl);
  else res.status(401).type('text').send('sign in first');
  return true;
}
