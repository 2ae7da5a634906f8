import { SECRET_MASK } from '@vecron/sdk';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
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
    auth: { ...config.auth, keys: config.auth.keys.map((k) => ({ kid: k.kid, private_key_pem: SECRET_MASK })), initial_admin_password: mask(config.auth.initial_admin_password) },
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
      method: 'get', path: '/cluster', access: 'system:config', tag: 'system',
      summary: 'Live processes (role, version, fingerprint, last heartbeat, held executions) and configuration drift between them',
      async handler() {
        const processes = await d.cluster.live();
        return { body: { processes, drift: clusterDrift(processes), self: d.cluster.id } };
      },
    }),
  ];
}
