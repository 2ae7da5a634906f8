import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express } from 'express';
import type { AnyExecutor, CronSystem, SqlClient, Storage } from '@vecron/sdk';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Logger } from 'pino';
import { createAlerts, webhookNotifier } from '../alerts/alerts.js';
import { configuredEmailNotifier } from '../alerts/configured-email.js';
import type { Alert, Notifier } from '../alerts/alerts.js';
import { auditKeysOf, createAuditLog } from '../audit/audit-log.js';
import type { AuditLog } from '../audit/audit-log.js';
import { hashPassword } from '../auth/passwords.js';
import { createTokenService } from '../auth/tokens.js';
import type { TokenUse } from '../auth/tokens.js';
import type { ServerConfig } from '../config/config-schema.js';
import { createApp } from '../http/create-app.js';
import { dashboardRouter } from '../http/dashboard.js';
import { memoryRateLimiter, redisRateLimiter } from '../http/rate-limiter.js';
import type { RateLimiter } from '../http/rate-limiter.js';
import type { RouteDef } from '../http/route.js';
import { natsEventBridge } from '../observability/event-bridge.js';
import type { EventBridge } from '../observability/event-bridge.js';
import { createEventHub } from '../observability/event-hub.js';
import type { EventHub } from '../observability/event-hub.js';
import { healthHandler, readyHandler } from '../observability/health.js';
import { createMetrics } from '../observability/metrics.js';
import type { Metrics } from '../observability/metrics.js';
import { createLogCorrelation, createServerLogger } from '../observability/log-correlation.js';
import type { LogCorrelation } from '../observability/log-correlation.js';
import { createTracing, exporterFromConfig } from '../observability/tracing.js';
import { scrubSecrets } from '../routes/scrub.js';
import { attachServerSchema } from '../store/schema/index.js';
import { createServerStore } from '../store/server-store.js';
import type { ServerStore } from '../store/server-store.js';
import { createWebhookStore } from '../webhooks/webhook-store.js';
import { buildCronSystem } from './build-system.js';
import { fingerprintOf, schemaVersionOf } from '../cluster/fingerprint.js';
import { createAgreedSecretBox } from '../cluster/agreed-key.js';
import { createProcessRegistry } from '../cluster/registry.js';
import type { ProcessRegistry } from '../cluster/registry.js';
import { serverVersion } from '../cluster/version.js';
import { resolveEncryptionKeys, resolveJwtKeys } from './keys.js';
import type { JwtKey } from './keys.js';

/** Which roles a process runs. */
export type Role = 'all' | 'api' | 'scheduler' | 'worker';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  config: ServerConfig;
  /** @default 'all' */
  role?: Role;
  /** @default the built-in http, database, file_processing and sftp executors */
  executors?: AnyExecutor[];
  /** @default pino to stdout at `log.level`, with trace ids on execution lines */
  logger?: Logger;
  /** The trace-id mixin of `logger` (see createServerLogger); the server attaches its spans to it. */
  logCorrelation?: LogCorrelation;
  /** Span exporter; overrides `[tracing]` (tests pass an in-memory exporter). */
  spanExporter?: SpanExporter;
  /** Extra alert notifiers besides the configured webhook. */
  notifiers?: Notifier[];
  /** Called once when the first admin is created, with the password to show (generated or configured). */
  onInitialAdmin?: (info: { username: string; password: string; generated: boolean }) => void;
}

/** A running vecron server process. */
export interface RunningServer {
  role: Role;
  cron: CronSystem;
  /** `http://host:port` of the API, when this process serves it. */
  apiUrl: string | null;
  /** `http://host:port` of `/metrics`, when enabled. */
  metricsUrl: string | null;
  app: Express | null;
  routes: RouteDef<never, never>[];
  store: ServerStore;
  audit: AuditLog;
  /** The storage the system runs on: the core's data through its port methods. */
  storage: Storage;
  /** The server's own tables (owner `vecron-server`): users, roles, webhooks, audit log, cluster registry. */
  sql: SqlClient;
  hub: EventHub;
  metrics: Metrics | null;
  alerts: Alert[];
  /** This process in the cluster registry (`GET /api/cluster`). */
  cluster: ProcessRegistry;
  /** Graceful stop: no new requests or work; in-flight work finishes within the grace period. */
  stop(): Promise<void>;
}

const listen = (server: http.Server, host: string, port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
    });
  });

const closeServer = async (server: http.Server, graceMs: number): Promise<void> => {
  const closed = new Promise<void>((r) => server.close(() => r()));
  server.closeIdleConnections();
  // SSE streams and slow clients are cut after the grace period.
  const t = setTimeout(() => server.closeAllConnections(), graceMs);
  t.unref();
  await closed;
  clearTimeout(t);
};

/**
 * Starts the roles of one process: API (with webhooks, SSE, health), scheduler and/or worker,
 * plus the metrics endpoint, tracing and alerts. The embedded store is used when no database is
 * configured.
 */
export async function startServer(o: StartServerOptions): Promise<RunningServer> {
  const { config } = o;
  const role = o.role ?? 'all';
  const correlation = o.logger ? o.logCorrelation : createLogCorrelation();
  const logger = o.logger ?? createServerLogger(config, correlation!);
  const encryptionKeys = resolveEncryptionKeys(config);
  // One id for this process: its leases (lease_owner) and its row in the cluster registry.
  const processId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // Encrypts only with a key every live process can decrypt (chosen at each cluster heartbeat).
  const box = createAgreedSecretBox(encryptionKeys);
  const built = await buildCronSystem(config, { logger, secretBox: box, workerId: processId, ...(o.executors ? { executors: o.executors } : {}) });
  const { cron } = built;
  const toClose: Array<() => Promise<void>> = [];
  let shuttingDown = false;
  // The metrics port listens first; its /ready stays 503 until the API listens and cron has started.
  let started = false;
  let bridge: EventBridge | null = null;
  // Leaves the registry before cron.stop() closes the storage it is written in.
  let registered: ProcessRegistry | null = null;
  const leaveCluster = async (): Promise<void> => {
    await registered?.stop().catch((err: unknown) => logger.warn({ err }, 'could not remove this process from the cluster registry; it ages out'));
  };
  try {
    const { storage } = built;
    // The server's own tables (users, webhooks, audit log, cluster registry), migrated under owner vecron-server.
    const sql = await attachServerSchema(storage);
    const runsApiRole = role === 'all' || role === 'api';
    const jwtKeys = runsApiRole ? resolveJwtKeys(config) : [];
    const schemaVersion = schemaVersionOf(await storage.listMigrations());
    const cluster: ProcessRegistry = createProcessRegistry({
      sql, storage, id: processId, role, logger: logger.child({ component: 'cluster' }),
      // Drain: the worker stops taking work and finishes (or, after the grace period, hands back) what it holds.
      ...(role === 'all' || role === 'worker' ? { onDrain: () => cron.drain({ graceMs: config.worker.shutdown_grace_ms }) } : {}),
      onLive: (processes) => {
        const before = box.keyId;
        const now = box.agree(processes.map((p) => p.fingerprint.encryption_key_ids));
        if (now === before) return;
        if (now === box.preferredKeyId) logger.info({ keyId: now }, 'encrypting with security.encryption_key: every live process can decrypt it');
        else logger.warn({ keyId: now, preferred: box.preferredKeyId, unaware: processes.filter((p) => !p.fingerprint.encryption_key_ids.includes(box.preferredKeyId)).map((p) => p.id) }, 'encrypting with an older key until every live process has security.encryption_key');
      },
      fingerprint: fingerprintOf(config, { version: serverVersion(), schemaVersion, encryptionKeys, jwtKids: signerFirst(jwtKeys) }),
    });
    // Refuses to start on a disagreement that would lose work (queue names), before any role runs.
    await cluster.start();
    registered = cluster;
    const store = createServerStore(sql);
    const audit = createAuditLog(sql, { keys: auditKeysOf(encryptionKeys) });
    await audit.ensureKeyed();
    const hub = createEventHub(cron);
    const exporter = o.spanExporter ?? (await exporterFromConfig(config));
    const tracing = createTracing(cron, { exporter, serviceName: config.tracing.service_name, simpleProcessor: o.spanExporter !== undefined });
    if (correlation) {
      const detach = correlation.attach(tracing.spanIds);
      toClose.push(async () => detach());
    }
    const checks: Record<string, () => Promise<void>> = {
      storage: async () => {
        await sql.query('SELECT 1');
      },
      ...built.checks,
    };
    const runsApi = role === 'all' || role === 'api';
    // Distributed mode: api replicas share login/webhook limits through Redis; events cross processes over NATS.
    const limiter: RateLimiter = built.coordination ? redisRateLimiter(built.coordination, { keyPrefix: config.coordination.key_prefix, logger }) : memoryRateLimiter();
    if (built.natsQueue) {
      const b = natsEventBridge(hub, built.natsQueue, { subject: config.queue.events_subject, receive: runsApi, logger });
      bridge = b;
      let timer: NodeJS.Timeout | undefined;
      const connected = await Promise.race([b.ready().then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5_000)))]);
      clearTimeout(timer);
      if (!connected) logger.warn('event bridge: NATS not reachable after 5 s; starting anyway, it connects in the background');
    }
    const runsScheduler = role === 'all' || role === 'scheduler';
    const runsWorker = role === 'all' || role === 'worker';

    let sentAlerts: Alert[] = [];
    // Links in alert e-mails: api.public_url, else this process's API address once it listens.
    const linkBase = { value: config.api.public_url };
    if (runsScheduler || runsWorker) {
      const notifiers = [...(o.notifiers ?? [])];
      if (config.alerts.webhook_urls.length) notifiers.push(webhookNotifier({ urls: config.alerts.webhook_urls, secret: config.alerts.webhook_secret || undefined }));
      if (config.alerts.email.enabled) {
        notifiers.push(configuredEmailNotifier(config, {
          executionLink: (id) => `${linkBase.value.replace(/\/+$/, '')}/dashboard/executions/${encodeURIComponent(id)}`,
          redact: (alert) => scrubSecrets({ storage, box }, alert.job_id, alert),
        }));
      }
      const alerts = createAlerts(cron, { notifiers, consecutiveFailures: config.alerts.consecutive_failures, onMissedFire: config.alerts.on_missed_fire, onDeadLetter: config.alerts.on_dead_letter, groupWaitMs: config.alerts.group_wait_seconds * 1000, groupWindowMs: config.alerts.group_window_seconds * 1000, logger });
      sentAlerts = alerts.sent;
      toClose.push(() => alerts.close());
    }

    let metrics: Metrics | null = null;
    let metricsUrl: string | null = null;
    if (config.metrics.enabled) {
      const nats = built.natsQueue;
      metrics = createMetrics(cron, { storage, sql }, nats ? { queueLag: () => nats.consumerLag() } : {});
      const m = metrics;
      const mapp = express();
      mapp.disable('x-powered-by');
      mapp.get('/metrics', async (_req, res) => {
        res.setHeader('content-type', m.registry.contentType);
        res.send(await m.registry.metrics());
      });
      mapp.get('/health', healthHandler(role));
      mapp.get('/ready', readyHandler(checks, () => shuttingDown, () => started));
      const mserver = http.createServer(mapp);
      metricsUrl = await listen(mserver, config.metrics.host, config.metrics.port);
      toClose.push(async () => {
        m.close();
        await closeServer(mserver, 1_000);
      });
    }

    let apiUrl: string | null = null;
    let app: Express | null = null;
    let routes: RouteDef<never, never>[] = [];
    let apiServer: http.Server | null = null;
    if (runsApi) {
      await store.seedRoles();
      await bootstrapAdmin(config, store, audit, o.onInitialAdmin);
      const tokens = createTokenService({ algorithm: config.auth.algorithm, keys: jwtKeys, issuer: config.auth.issuer, audience: config.auth.audience, ttlSeconds: config.auth.token_ttl_seconds });
      const webhooks = createWebhookStore(sql, box);
      const publicUrlRef = { value: config.api.public_url };
      // One verifier for the API's Bearer header and the dashboard's session cookie.
      // A dashboard cookie is not an API credential, nor an API token a dashboard session.
      const principalFromToken = async (token: string, use: TokenUse = 'api') => {
        if (!/^[A-Za-z0-9_\-.]+$/.test(token)) return null;
        const claims = await tokens.verify(token);
        if (!claims || claims.use !== use) return null;
        const p = await store.principal(claims.sub);
        // Disabled users and tokens minted before a role/password change stop working at once.
        if (!p || p.disabled || p.tokenVersion !== claims.ver) return null;
        return p;
      };
      const deps = {
        config, cron, storage, sql, store, audit, tokens, limiter, box, webhooks, logger, hub, checks, cluster,
        get publicUrl() {
          return publicUrlRef.value;
        },
        traceContext: tracing.traceContext,
        now: () => new Date(),
        isShuttingDown: () => shuttingDown,
        async authenticate(req: express.Request) {
          const h = req.get('authorization') ?? '';
          const m = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(h);
          return m ? principalFromToken(m[1]!) : null;
        },
        dashboard: (clientIp: (req: express.Request) => string) => dashboardRouter(deps, { principalFromToken: (t) => principalFromToken(t, 'dashboard'), clientIp, encryptionKeys, executors: built.executors }),
      };
      const made = createApp(deps);
      app = made.app;
      routes = made.routes;
      apiServer = http.createServer(app);
      apiServer.headersTimeout = 30_000;
      apiServer.requestTimeout = 60_000;
      apiUrl = await listen(apiServer, config.api.host, config.api.port);
      if (!publicUrlRef.value) publicUrlRef.value = apiUrl;
      if (!linkBase.value) linkBase.value = apiUrl;
      // Old delivery ids can go: a replay of one would fail the timestamp window anyway.
      const prune = setInterval(() => {
        void webhooks.pruneDeliveries(new Date(Date.now() - 2 * config.webhooks.tolerance_seconds * 1000 - 60_000)).catch(() => undefined);
      }, 10 * 60_000);
      prune.unref();
      toClose.push(async () => clearInterval(prune));
    }

    await cron.start({ scheduler: runsScheduler, worker: runsWorker ? { concurrency: config.worker.concurrency } : false });
    started = true;
    logger.info({ role, apiUrl, metricsUrl, embedded: config.storage.database_url === '' }, 'vecron started');

    let stopping: Promise<void> | null = null;
    return {
      role, cron, apiUrl, metricsUrl, app, routes, store, audit, storage, sql, hub, metrics, cluster,
      alerts: sentAlerts,
      stop() {
        stopping ??= (async () => {
          shuttingDown = true;
          logger.info({ role }, 'vecron stopping');
          if (apiServer) await closeServer(apiServer, 2_000);
          await leaveCluster();
          // The hub and its bridge stay up while in-flight executions finish, so their last
          // events still reach other processes (the queue's connection drains in cron.stop()).
          await cron.stop({ graceMs: config.worker.shutdown_grace_ms });
          hub.close();
          await bridge?.close();
          for (const c of toClose.reverse()) await c().catch((err: unknown) => logger.error({ err }, 'close failed'));
          await tracing.close();
          await built.close();
          logger.info({ role }, 'vecron stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    for (const c of toClose.reverse()) await c().catch(() => undefined);
    await bridge?.close().catch(() => undefined);
    await leaveCluster();
    await cron.stop().catch(() => undefined);
    await built.close();
    throw err;
  }
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

/** Key ids with the signing one (the first private key) first, as the fingerprint wants them. */
function signerFirst(keys: JwtKey[]): string[] {
  const signer = keys.find((k) => 'private_key_pem' in k);
  return signer ? [signer.kid, ...keys.filter((k) => k !== signer).map((k) => k.kid)] : keys.map((k) => k.kid);
}
