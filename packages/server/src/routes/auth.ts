import { z } from 'zod';
import { ApiError, tooManyRequests } from '../http/api-error.js';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { verifyPassword } from '../auth/passwords.js';
import { changeOwnPassword } from '../auth/user-admin.js';
import { checkLogin, loginSucceeded, slowDown } from '../auth/login-throttle.js';

const loginBody = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(1024) }).strict();
const passwordBody = z.object({ current_password: z.string().min(1).max(1024), new_password: z.string().min(1).max(1024) }).strict();

/** Login, password change, the caller's identity, and the public keys of the tokens. */
export function authRoutes(d: ApiDeps) {
  return [
    defineRoute({
      method: 'post', path: '/auth/login', access: 'public', action: 'auth.login', tag: 'auth', summary: 'Exchange username and password for a JWT',
      body: loginBody,
      async handler(ctx) {
        const { username, password } = ctx.body;
        ctx.auditDetails.username = username;
        const gate = await checkLogin(d.limiter, d.config.auth, username, ctx.ip);
        if (!gate.allowed) throw tooManyRequests(gate.limit === 'ip' ? 'too many login attempts from this address' : 'too many login attempts for this user from this address', gate.retryAfterMs);
        await slowDown(gate.delayMs);
        const cred = await d.store.credentials(username);
        const ok = await verifyPassword(cred?.passwordHash ?? null, password);
        if (!cred || !ok || cred.disabled) throw new ApiError(401, 'INVALID_CREDENTIALS', 'invalid username or password');
        await loginSucceeded(d.limiter, username, ctx.ip);
        const { token, expiresAt } = await d.tokens.sign({ sub: cred.id, ver: cred.tokenVersion });
        ctx.resource = `user:${cred.id}`;
        return { body: { token, token_type: 'Bearer', expires_at: expiresAt.toISOString(), must_change_password: cred.mustChangePassword } };
      },
    }),
    defineRoute({
      method: 'post', path: '/auth/password', access: 'authenticated', action: 'auth.password_change', tag: 'auth', summary: 'Change your own password (revokes your other tokens)',
      body: passwordBody, allowPendingPasswordChange: true,
      async handler(ctx) {
        const p = ctx.principal!;
        ctx.resource = `user:${p.id}`;
        await changeOwnPassword(d.store, p.id, ctx.body.current_password, ctx.body.new_password);
        const cred = await d.store.credentials(p.username);
        const { token, expiresAt } = await d.tokens.sign({ sub: p.id, ver: cred!.tokenVersion });
        return { body: { token, token_type: 'Bearer', expires_at: expiresAt.toISOString(), must_change_password: false } };
      },
    }),
    defineRoute({
      method: 'post', path: '/auth/logout', access: 'authenticated', action: 'auth.logout', tag: 'auth', summary: 'Sign out: ends every session of the caller (API tokens and dashboard cookies) and closes their event streams',
      allowPendingPasswordChange: true,
      async handler(ctx) {
        ctx.resource = `user:${ctx.principal!.id}`;
        await d.store.revokeTokens(ctx.principal!.id);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get', path: '/auth/me', access: 'authenticated', tag: 'auth', summary: 'The caller: user, permissions, execution scope', allowPendingPasswordChange: true,
      async handler(ctx) {
        const p = ctx.principal!;
        return { body: { id: p.id, username: p.username, permissions: [...p.permissions].sort(), execution_scope: p.seesAllExecutions ? 'all' : 'own', must_change_password: p.mustChangePassword } };
      },
    }),
    defineRoute({
      method: 'get', path: '/auth/jwks', access: 'public', tag: 'auth', summary: 'Public keys that verify vecron tokens (JWKS)',
      async handler() {
        return { body: d.tokens.jwks() };
      },
    }),
  ];
}
