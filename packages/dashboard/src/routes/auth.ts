import type { Request, Response, Router } from 'express';
import { parseCookies, serializeCookie } from '../cookies.js';
import type { Kit } from '../kit.js';
import { CSRF_COOKIE, str } from '../kit.js';
import type { ViewContext } from '../views/context.js';
import { loginBody, passwordChangeBody } from '../views/misc.js';

/** Only paths inside the dashboard: no scheme, no `//host`, no backslash tricks. */
const safeNext = (v: ViewContext, next: unknown): string => {
  const n = typeof next === 'string' ? next : '';
  return /^\/(?![/\\])[^\s\\]*$/.test(n) ? `${v.base}${n}` : v.url('/');
};

/** `GET/POST /login` and `POST /logout`. */
export function authRoutes(router: Router, kit: Kit): void {
  const { auth, state, sessionCookie, options, csrf } = kit;
  /** Sets the session cookie, and a fresh CSRF cookie too: tokens issued before sign-in stop working. */
  const signIn = async (req: Request, res: Response, r: { session: string; maxAgeSeconds: number }): Promise<void> => {
    const v = state(res).view;
    const secure = options.secureCookies ?? req.secure;
    res.append('set-cookie', [
      serializeCookie(sessionCookie, r.session, { path: v.base || '/', maxAge: r.maxAgeSeconds, secure }),
      serializeCookie(CSRF_COOKIE, csrf.newCookie(), { path: v.base || '/', secure }),
    ]);
  };
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
      if (result.reason === 'password_change_required' && auth.changePassword) {
        await kit.page(req, res, { title: v.t('password.title'), section: 'login', body: passwordChangeBody(v, { error: null, next, username }), status: 401 });
        return;
      }
      const key = result.reason === 'rate_limited' ? 'login.rateLimited' : result.reason === 'password_change_required' ? 'login.passwordChange' : 'login.invalid';
      await kit.page(req, res, { title: v.t('login.title'), section: 'login', body: loginBody(v, { error: v.t(key), next, username }), status: result.reason === 'rate_limited' ? 429 : 401 });
      return;
    }
    await signIn(req, res, result);
    await kit.audit(req, res, { action: 'auth.login', resource: null, result: 'ok', details: { username } }, await auth.verify(result.session, req).catch(() => null));
    res.redirect(303, safeNext(v, next));
  });
  // The first-login password change: the form the login answer shows; signs in when it works.
  router.post('/login/password', async (req, res) => {
    const v = state(res).view;
    if (!auth?.changePassword) {
      res.redirect(303, v.url('/login'));
      return;
    }
    const field = (k: string, max: number): string => (typeof req.body?.[k] === 'string' ? (req.body[k] as string).slice(0, max) : '');
    const username = field('username', 200);
    const next = field('next', 2000);
    const currentPassword = field('current_password', 1024);
    const newPassword = field('new_password', 1024);
    const again = async (error: string, status: number): Promise<void> =>
      kit.page(req, res, { title: v.t('password.title'), section: 'login', body: passwordChangeBody(v, { error, next, username }), status });
    if (!username || !currentPassword || !newPassword) return again(v.t('login.invalid'), 400);
    if (newPassword !== field('repeat_password', 1024)) return again(v.t('password.mismatch'), 400);
    const r = await auth.changePassword({ username, currentPassword, newPassword }, req);
    if (!r.ok) {
      await kit.audit(req, res, { action: 'auth.password_change', resource: null, result: r.reason, details: { username } });
      return again(r.reason === 'rate_limited' ? v.t('login.rateLimited') : r.reason === 'invalid' ? v.t('login.invalid') : v.t('password.rejected', { why: r.message ?? '' }), r.reason === 'rate_limited' ? 429 : r.reason === 'invalid' ? 401 : 400);
    }
    await signIn(req, res, r);
    await kit.audit(req, res, { action: 'auth.password_change', resource: null, result: 'ok', details: { username } }, await auth.verify(r.session, req).catch(() => null));
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
