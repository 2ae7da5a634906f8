import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Express, Request } from 'express';
import type { AnyExecutor } from '@vecron/sdk';
import type { SecretBoxKeys } from '@vecron/sdk/crypto';
import type { AuditLog } from '../audit/audit-log.js';
import { hashPassword } from '../auth/passwords.js';
import { createTokenService } from '../auth/tokens.js';
import type { TokenService, TokenUse } from '../auth/tokens.js';
import type { AgreedSecretBox } from '../cluster/agreed-key.js';
import { createApp } from '../http/create-app.js';
import type { ServerConfig } from '../config/config-schema.js';
import type { ApiDeps } from '../http/deps.js';
import { dashboardRouter } from '../http/dashboard.js';
import type { RouteDef } from '../http/route.js';
import type { EventHub } from '../observability/event-hub.js';
import type { ReadinessCheck } from '../observability/health.js';
import type { ServerStore } from '../store/server-store.js';
import { createWebhookStore } from '../webhooks/webhook-store.js';
import { listen } from './http-listen.js';
import type { JwtKey } from './keys.js';
import type { StartServerOptions } from './start-server.js';

/** What the API role is built from. `linkBase` (alert e-mail links) gets the API's address when `api.public_url` is empty. */
export type ApiRoleDeps = Pick<ApiDeps, 'config' | 'cron' | 'storage' | 'sql' | 'store' | 'audit' | 'limiter' | 'logger' | 'cluster' | 'traceContext'> & {
  /** The cluster's agreed box: an `ApiDeps['box']` that also agrees on the encrypting key. */
  box: AgreedSecretBox;
  hub: EventHub;
  checks: Record<string, ReadinessCheck>;
  encryptionKeys: SecretBoxKeys;
  executors: AnyExecutor[];
  jwtKeys: JwtKey[];
  onInitialAdmin: StartServerOptions['onInitialAdmin'];
  isShuttingDown: () => boolean;
  linkBase: { value: string };
};

/** The listening API: its address, app and routes, its HTTP server (closed at stop), and the delivery-id pruning to stop. */
export interface ApiServer {
  url: string;
  app: Express;
  routes: RouteDef<never, never>[];
  server: http.Server;
  stopPruning(): void;
}

/** Seeds the roles and the first admin, then serves the API (with the dashboard) on `api.host:api.port`. */
export async function serveApi(d: ApiRoleDeps): Promise<ApiServer> {
  const { config, store } = d;
  await store.seedRoles();
  await bootstrapAdmin(config, store, d.audit, d.onInitialAdmin);
  const tokens = createTokenService({ algorithm: config.auth.algorithm, keys: d.jwtKeys, issuer: config.auth.issuer, audience: config.auth.audience, ttlSeconds: config.auth.token_ttl_seconds });
  const webhooks = createWebhookStore(d.sql, d.box);
  const publicUrlRef = { value: config.api.public_url };
  const principalFromToken = tokenVerifier(tokens, store);
  const deps = {
    config, cron: d.cron, storage: d.storage, sql: d.sql, store, audit: d.audit, tokens, limiter: d.limiter, box: d.box, webhooks, logger: d.logger, hub: d.hub, checks: d.checks, cluster: d.cluster,
    get publicUrl() {
      return publicUrlRef.value;
    },
    traceContext: d.traceContext,
    now: () => new Date(),
    isShuttingDown: d.isShuttingDown,
    async authenticate(req: Request) {
      const h = req.get('authorization') ?? '';
      const m = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(h);
      return m ? principalFromToken(m[1]!) : null;
    },
    dashboard: (clientIp: (req: Request) => string) => dashboardRouter(deps, { principalFromToken: (t) => principalFromToken(t, 'dashboard'), clientIp, encryptionKeys: d.encryptionKeys, executors: d.executors }),
  };
  const { app, routes } = createApp(deps);
  const server = http.createServer(app);
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  const url = await listen(server, config.api.host, config.api.port);
  if (!publicUrlRef.value) publicUrlRef.value = url;
  if (!d.linkBase.value) d.linkBase.value = url;
  // Old delivery ids can go: a replay of one would fail the timestamp window anyway.
  const prune = setInterval(() => {
    void webhooks.pruneDeliveries(new Date(Date.now() - 2 * config.webhooks.tolerance_seconds * 1000 - 60_000)).catch(() => undefined);
  }, 10 * 60_000);
  prune.unref();
  return { url, app, routes, server, stopPruning: () => clearInterval(prune) };
}

/**
 * One verifier for the API's Bearer header and the dashboard's session cookie. A dashboard
 * cookie is not an API credential, nor an API token a dashboard session.
 */
function tokenVerifier(tokens: TokenService, store: ServerStore) {
  return async (token: string, use: TokenUse = 'api') => {
    if (!/^[A-Za-z0-9_\-.]+$/.test(token)) return null;
    const claims = await tokens.verify(token);
    if (!claims || claims.use !== use) return null;
    const p = await store.principal(claims.sub);
    // Disabled users and tokens minted before a role/password change stop working at once.
    if (!p || p.disabled || p.tokenVersion !== claims.ver) return null;
    return p;
  };
}

/** Creates the first admin when there is no user: configured password, or one generated and shown once. */
async function bootstrapAdmin(config: ServerConfig, store: ServerStore, audit: AuditLog, onInitialAdmin: StartServerOptions['onInitialAdmin']): Promise<void> {
  if ((await store.countUsers()) > 0) return;
  const generated = config.auth.initial_admin_password === '';
  const password = generated ? randomBytes(18).toString('base64url') : config.auth.initial_admin_password;
  try {
    const user = await store.createUser({ username: config.auth.initial_admin_username, passwordHash: await hashPassword(password), mustChangePassword: true, roles: ['Admin'] });
    await audit.append({ actorId: null, actor: 'system', action: 'user.bootstrap', resource: `user:${user.id}`, ip: null, result: 'ok', details: { username: user.username, generated } });
    onInitialAdmin?.({ username: user.username, password, generated });
  } catch (err) {
    // Another API process created it at the same moment.
    if ((err as { code?: string }).code !== 'CONFLICT') throw err;
  }
}
