import { createHash } from 'node:crypto';
import type { Request, Router } from 'express';
import { createDashboardRouter } from '@vecron/dashboard';
import type { DashboardUser } from '@vecron/dashboard';
import type { AnyExecutor } from '@vecron/sdk';
import type { SecretBoxKeys } from '@vecron/sdk/crypto';
import { ValidationError } from '@vecron/sdk';
import { verifyPassword } from '../auth/passwords.js';
import { changeOwnPassword } from '../auth/user-admin.js';
import { checkLogin, loginSucceeded, slowDown } from '../auth/login-throttle.js';
import type { EventHub } from '../observability/event-hub.js';
import { scrubSecrets } from '../routes/scrub.js';
import type { Principal } from '../store/server-store.js';
import { dashboardAdmin } from './dashboard-admin.js';
import type { ApiDeps } from './deps.js';
import { dashboardImporter } from './dashboard-import.js';

/** The dashboard user of a principal: same permissions and execution scope as in the REST API. */
const userOf = (p: Principal): DashboardUser => ({ id: p.id, name: p.username, permissions: p.permissions, seesAllExecutions: p.seesAllExecutions });

/**
 * `/dashboard`: the `@vecron/dashboard` router behind the server's own auth. A browser signs in
 * with a form; the JWT the API would hand out is kept in an HttpOnly, SameSite=Strict cookie
 * (`vecron_session`, path `/dashboard`) and checked on every request by the same verifier as
 * `Authorization: Bearer` (signature, expiry, token version, disabled user). Its token is marked
 * `use: dashboard`, so it is not accepted as a Bearer token; sign-out ends the user's sessions. Permissions and the
 * own-executions scope are the user's roles; every action goes to the audit log. CSRF tokens are
 * bound to the session and signed with a key derived from the encryption key, so they work on any
 * API replica.
 */
export function dashboardRouter(
  d: ApiDeps & { hub: EventHub },
  o: { principalFromToken(token: string): Promise<Principal | null>; clientIp(req: Request): string; encryptionKeys: SecretBoxKeys; executors?: readonly AnyExecutor[] },
): Router {
  const csrfSecret = createHash('sha256').update('vecron-dashboard-csrf:').update(String(o.encryptionKeys.current)).digest();
  return createDashboardRouter({
    cron: d.cron,
    timezone: d.config.scheduler.timezone,
    csrfSecret,
    ...(o.executors ? { executors: o.executors } : {}),
    importer: dashboardImporter(d.cron),
    auth: {
      async verify(token) {
        const p = await o.principalFromToken(token);
        // A user who must change the password uses the API first, as the API demands.
        return p && !p.mustChangePassword ? userOf(p) : null;
      },
      async login({ username, password }, req) {
        const ip = o.clientIp(req);
        const gate = await checkLogin(d.limiter, d.config.auth, username, ip);
        if (!gate.allowed) return { ok: false, reason: 'rate_limited' };
        await slowDown(gate.delayMs);
        const cred = await d.store.credentials(username);
        const ok = await verifyPassword(cred?.passwordHash ?? null, password);
        if (!cred || !ok || cred.disabled) return { ok: false, reason: 'invalid' };
        await loginSucceeded(d.limiter, username, ip);
        if (cred.mustChangePassword) return { ok: false, reason: 'password_change_required' };
        const { token, expiresAt } = await d.tokens.sign({ sub: cred.id, ver: cred.tokenVersion, use: 'dashboard' });
        return { ok: true, session: token, maxAgeSeconds: Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000)) };
      },
      // First login: the one-time password is changed in the browser, by the API's own rules, and the user signed in.
      async changePassword({ username, currentPassword, newPassword }, req) {
        const ip = o.clientIp(req);
        const gate = await checkLogin(d.limiter, d.config.auth, username, ip);
        if (!gate.allowed) return { ok: false, reason: 'rate_limited' };
        await slowDown(gate.delayMs);
        const cred = await d.store.credentials(username);
        const ok = await verifyPassword(cred?.passwordHash ?? null, currentPassword);
        if (!cred || !ok || cred.disabled) return { ok: false, reason: 'invalid' };
        await loginSucceeded(d.limiter, username, ip);
        try {
          await changeOwnPassword(d.store, cred.id, currentPassword, newPassword);
        } catch (err) {
          if (err instanceof ValidationError) return { ok: false, reason: 'rejected', message: err.issues.map((i) => i.message).join('; ') };
          throw err;
        }
        const fresh = await d.store.credentials(username);
        const { token, expiresAt } = await d.tokens.sign({ sub: cred.id, ver: fresh!.tokenVersion, use: 'dashboard' });
        return { ok: true, session: token, maxAgeSeconds: Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000)) };
      },
      // Sign-out ends every session of the user, so a copied cookie stops working too.
      async logout(session) {
        const p = await o.principalFromToken(session);
        if (p) await d.store.revokeTokens(p.id);
      },
      sessionCheckMs: d.config.auth.session_check_ms,
    },
    scrub: (jobId, value) => scrubSecrets(d, jobId, value),
    // Users, roles, webhooks and the audit log for the administration pages, by the API's own rules.
    admin: dashboardAdmin(d),
    subscribe: (listener) =>
      d.hub.subscribe((e) => listener({ type: e.type, ...(e.job_id ? { jobId: e.job_id } : {}), ...(e.execution_id ? { executionId: e.execution_id } : {}), ...(e.status ? { status: e.status } : {}) })),
    async onAction(r, req) {
      const username = typeof r.details.username === 'string' ? r.details.username : null;
      await d.audit.append({
        actorId: r.user?.id ?? null,
        actor: r.user?.name ?? username ?? 'anonymous',
        action: r.action,
        resource: r.resource,
        ip: o.clientIp(req),
        result: r.result,
        details: { ...r.details, via: 'dashboard', method: req.method, path: req.originalUrl.split('?')[0] },
      });
    },
    onError: (err, req) => d.logger.error({ err, path: req?.originalUrl.split('?')[0] }, 'dashboard request failed'),
  });
}
