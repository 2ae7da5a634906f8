import { SECRET_MASK } from '@vecron/sdk/crypto';
import type { SchedulerPause } from '@vecron/sdk';
import { z } from 'zod';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import { ApiError } from '../http/api-error.js';
import { clusterDrift } from '../cluster/fingerprint.js';

/** The effective configuration with every secret masked. */
export function maskedConfig(config: ApiDeps['config']): Record<string, unknown> {
  const mask = (v: string): string => (v ? SECRET_MASK : '');
  const maskUrl = (u: string): string => u.replace(/\/\/([^:@/]+):([^@/]+)@/, `//$1:${SECRET_MASK}@`);
  return {
    ...config,
    storage: { ...config.storage, database_url: maskUrl(config.storage.database_url) },
    coordination: { redis_url: maskUrl(config.coordination.redis_url) },
    security: { encryption_key: mask(config.security.encryption_key), previous_encryption_keys: config.security.previous_encryption_keys.map(() => SECRET_MASK) },
    auth: { ...config.auth, keys: config.auth.keys.map((k) => ('private_key_pem' in k ? { kid: k.kid, private_key_pem: SECRET_MASK } : k)), initial_admin_password: mask(config.auth.initial_admin_password) },
    alerts: { ...config.alerts, webhook_secret: mask(config.alerts.webhook_secret), email: { ...config.alerts.email, password: mask(config.alerts.email.password) } },
  };
}

/** System configuration (read-only). */
export function systemRoutes(d: ApiDeps) {
  return [
    defineRoute({
      method: 'get', path: '/system/config', access: 'system:config', tag: 'system', summary: 'Effective configuration, secrets masked',
      async handler() {
        return { body: maskedConfig(d.config) };
      },
    }),
    defineRoute({
      method: 'get', path: '/scheduler', access: 'system:config', tag: 'system', summary: 'Whether every scheduler is paused, since when and by whom',
      async handler() {
        return { body: pauseView(await d.cron.maintenance.status()) };
      },
    }),
    defineRoute({
      method: 'post', path: '/scheduler/pause', access: 'system:config', action: 'scheduler.pause', tag: 'system', body: pauseBody,
      summary: 'Pause every scheduler of the cluster: fires that fall due are recorded as skipped (paused); jobs keep their enabled state and anchors',
      async handler(ctx) {
        const pause = await d.cron.maintenance.pause({ by: ctx.principal!.username, ...(ctx.body?.reason ? { reason: ctx.body.reason } : {}) });
        ctx.resource = 'scheduler';
        return { body: pauseView(pause) };
      },
    }),
    defineRoute({
      method: 'post', path: '/scheduler/resume', access: 'system:config', action: 'scheduler.resume', tag: 'system',
      summary: 'Lift the pause: schedulers fire again at their next pass',
      async handler(ctx) {
        await d.cron.maintenance.resume();
        ctx.resource = 'scheduler';
        return { body: pauseView(null) };
      },
    }),
    defineRoute({
      method: 'post', path: '/workers/:id/drain', access: 'system:config', action: 'worker.drain', tag: 'system', successStatus: 202,
      summary: 'Drain a worker process (id from GET /api/cluster): it stops taking work and finishes or hands back what it holds, within its next heartbeat',
      async handler(ctx) {
        const id = ctx.params.id ?? '';
        ctx.resource = `process:${id}`;
        const target = (await d.cluster.live()).find((p) => p.id === id);
        if (!target) throw new ApiError(404, 'NOT_FOUND', `no live process ${id} (see GET /api/cluster)`);
        if (target.role !== 'worker' && target.role !== 'all') throw new ApiError(409, 'CONFLICT', `process ${id} runs no worker (role ${target.role})`);
        await d.cluster.requestDrain(id, ctx.principal!.username);
        return { status: 202, body: { id, draining: true } };
      },
    }),
    defineRoute({
      method: 'get', path: '/cluster', access: 'system:config', tag: 'system',
      summary: 'Live processes (role, version, fingerprint, last heartbeat, held executions) and configuration drift between them',
      async handler() {
        const processes = await d.cluster.live();
        return { body: { processes, drift: clusterDrift(processes), self: d.cluster.id, encrypting_key_id: d.box.keyId } };
      },
    }),
  ];
}

const pauseBody = z.object({ reason: z.string().max(500).optional() }).strict().optional();

function pauseView(p: SchedulerPause | null): { paused: boolean; since: string | null; by: string | null; reason: string | null } {
  return { paused: p !== null, since: p?.since.toISOString() ?? null, by: p?.by ?? null, reason: p?.reason ?? null };
}
