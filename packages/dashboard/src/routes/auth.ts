import type { Router } from 'express';
import { parseCookies, serializeCookie } from '../cookies.js';
import type { Kit } from '../kit.js';
import { CSRF_COOKIE, str } from '../kit.js';
import type { ViewContext } from '../views/context.js';
import { loginBody } from '../views/misc.js';

/** Only paths inside the dashboard: no scheme, no `//host`, no backslash tricks. */
const safeNext = (v: ViewContext, next: unknown): string => {
  const n = typeof next === 'string' ? next : '';
  return /^\/(?![/\\])[^\s\\]*$/.test(n) ? `${v.base}${n}` : v.url('/');
};

/** `GET/POST /login` and `POST /logout`. */
export function authRoutes(router: Router, kit: Kit): void {
  const { auth, state, sessionCookie, options, csrf } = kit;
  router.get('/login', async (req, res) => {
    const v = state(res).view;
    if (!auth) {
      res.redirect(303, v.url('/'));
      return;
    }
    await kit.page(req, res, { title: v.t('login.title'), section: 'login', body: loginBody(v, { error: null, next: str(req.query.next) ?? '', username: '' }) });
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
      await kit.audit(req, res, { action: 'auth.login', resource: null, result: result.reason, details: { username } });
      const key = result.reason === 'rate_limited' ? 'login.rateLimited' : result.reason === 'password_change_required' ? 'login.passwordChange' : 'login.invalid';
      await kit.page(req, res, { title: v.t('login.title'), section: 'login', body: loginBody(v, { error: v.t(key), next, username }), status: result.reason === 'rate_limited' ? 429 : 401 });
      return;
    }
    const secure = options.secureCookies ?? req.secure;
    // A fresh CSRF cookie too: tokens issued before sign-in stop working.
    res.append('set-cookie', [
      serializeCookie(sessionCookie, result.session, { path: v.base || '/', maxAge: result.maxAgeSeconds, secure }),
      serializeCookie(CSRF_COOKIE, csrf.newCookie(), { path: v.base || '/', secure }),
    ]);
    await kit.audit(req, res, { action: 'auth.login', resource: null, result: 'ok', details: { username } }, await auth.verify(result.session, req).catch(() => null));
    res.redirect(303, safeNext(v, next));
  });
  router.post('/logout', async (req, res) => {
    const v = state(res).view;
    const session = parseCookies(req.get('cookie'))[sessionCookie];
    if (auth?.logout && session) await auth.logout(session, req);
    await kit.audit(req, res, { action: 'auth.logout', resource: null, result: 'ok', details: {} });
    res.append('set-cookie', serializeCookie(sessionCookie, '', { path: v.base || '/', maxAge: 0, secure: options.secureCookies ?? req.secure }));
    res.redirect(303, auth ? v.url('/login') : v.url('/'));
  });
}
