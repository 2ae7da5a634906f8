import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type http from 'node:http';
import type express from 'express';
import type { AnyExecutor, CronSystem, SqlClient, Storage } from '@vecron/sdk';
import type { SecretBoxKeys } from '@vecron/sdk/crypto';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Logger } from 'pino';
import { createAlerts, webhookNotifier } from '../alerts/alerts.js';
import { configuredEmailNotifier } from '../alerts/configured-email.js';
import type { Alert, Notifier } from '../alerts/alerts.js';
import { auditKeysOf, createAuditLog } from '../audit/audit-log.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { ServerConfig } from '../config/config-schema.js';
import { memoryRateLimiter, redisRateLimiter } from '../http/rate-limiter.js';
import type { RouteDef } from '../http/route.js';
import { natsEventBridge } from '../observability/event-bridge.js';
import type { EventBridge } from '../observability/event-bridge.js';
import { createEventHub } from '../observability/event-hub.js';
import type { EventHub } from '../observability/event-hub.js';
import type { ReadinessCheck } from '../observability/health.js';
import type { Metrics } from '../observability/metrics.js';
import { createLogCorrelation, createServerLogger } from '../observability/log-correlation.js';
import type { LogCorrelation } from '../observability/log-correlation.js';
import { createTracing, exporterFromConfig } from '../observability/tracing.js';
import type { Tracing } from '../observability/tracing.js';
import { scrubSecrets } from '../routes/scrub.js';
import { attachServerSchema } from '../store/schema/index.js';
import { createServerStore } from '../store/server-store.js';
import type { ServerStore } from '../store/server-store.js';
import { buildCronSystem } from './build-system.js';
import type { BuiltSystem } from './build-system.js';
import { createAgreedSecretBox } from '../cluster/agreed-key.js';
import type { AgreedSecretBox } from '../cluster/agreed-key.js';
import type { ProcessRegistry } from '../cluster/registry.js';
import { closeServer } from './http-listen.js';
import { joinCluster } from './join-cluster.js';
import { resolveEncryptionKeys, resolveJwtKeys } from './keys.js';
import { serveApi } from './serve-api.js';
import type { ApiServer } from './serve-api.js';
import { serveMetrics } from './serve-metrics.js';

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
  app: express.Express | null;
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

/** One process while it starts and stops: what the steps of {@link startServer} share. */
interface Boot {
  o: StartServerOptions;
  config: ServerConfig;
  role: Role;
  logger: Logger;
  correlation: LogCorrelation | undefined;
  encryptionKeys: SecretBoxKeys;
  /** One id for this process: its leases (lease_owner) and its row in the cluster registry. */
  processId: string;
  box: AgreedSecretBox;
  built: BuiltSystem;
  /** Closed in reverse order at stop, or when the start fails. */
  toClose: Array<() => Promise<void>>;
  shuttingDown: boolean;
  /** The metrics port listens first; its /ready stays 503 until the API listens and cron has started. */
  started: boolean;
  bridge: EventBridge | null;
  /** Leaves the registry before cron.stop() closes the storage it is written in. */
  registered: ProcessRegistry | null;
}

/**
 * Starts the roles of one process: API (with webhooks, SSE, health), scheduler and/or worker,
 * plus the metrics endpoint, tracing and alerts. The embedded store is used when no database is
 * configured.
 */
export async function startServer(o: StartServerOptions): Promise<RunningServer> {
  const { config } = o;
  const correlation = o.logger ? o.logCorrelation : createLogCorrelation();
  const logger = o.logger ?? createServerLogger(config, correlation!);
  const encryptionKeys = resolveEncryptionKeys(config);
  const processId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // Encrypts only with a key every live process can decrypt (chosen at each cluster heartbeat).
  const box = createAgreedSecretBox(encryptionKeys);
  const built = await buildCronSystem(config, { logger, secretBox: box, workerId: processId, ...(o.executors ? { executors: o.executors } : {}) });
  const b: Boot = {
    o, config, role: o.role ?? 'all', logger, correlation, encryptionKeys, processId, box, built,
    toClose: [], shuttingDown: false, started: false, bridge: null, registered: null,
  };
  try {
    return await startRoles(b);
  } catch (err) {
    for (const c of b.toClose.reverse()) await c().catch(() => undefined);
    await b.bridge?.close().catch(() => undefined);
    await leaveCluster(b);
    await built.cron.stop().catch(() => undefined);
    await built.close();
    throw err;
  }
}

/** Everything after the cron system is built, in start order; the roles this process runs last. */
async function startRoles(b: Boot): Promise<RunningServer> {
  const { config, role, logger, built, o } = b;
  const { cron, storage } = built;
  // The server's own tables (users, webhooks, audit log, cluster registry), migrated under owner vecron-server.
  const sql = await attachServerSchema(storage);
  const runsApi = role === 'all' || role === 'api';
  const jwtKeys = runsApi ? resolveJwtKeys(config) : [];
  const cluster = await joinCluster({ config, role, processId: b.processId, sql, storage, cron, logger, box: b.box, encryptionKeys: b.encryptionKeys, jwtKeys });
  b.registered = cluster;
  const store = createServerStore(sql);
  const audit = createAuditLog(sql, { keys: auditKeysOf(b.encryptionKeys) });
  await audit.ensureKeyed();
  const hub = createEventHub(cron);
  const tracing = await startTracing(b);
  const checks: Record<string, ReadinessCheck> = {
    storage: async () => {
      await sql.query('SELECT 1');
    },
    ...built.checks,
  };
  // Distributed mode: api replicas share login/webhook limits through Redis; events cross processes over NATS.
  const limiter = built.coordination ? redisRateLimiter(built.coordination, { keyPrefix: config.coordination.key_prefix, logger }) : memoryRateLimiter();
  if (built.natsQueue) await connectEventBridge(b, hub, runsApi);
  const runsScheduler = role === 'all' || role === 'scheduler';
  const runsWorker = role === 'all' || role === 'worker';
  // Links in alert e-mails: api.public_url, else this process's API address once it listens.
  const linkBase = { value: config.api.public_url };
  const alerts = runsScheduler || runsWorker ? startAlerts(b, linkBase) : [];
  let metrics: { metrics: Metrics; url: string } | null = null;
  if (config.metrics.enabled) {
    const served = await serveMetrics({ config, role, cron, storage, sql, natsQueue: built.natsQueue, checks, isShuttingDown: () => b.shuttingDown, isStarted: () => b.started });
    b.toClose.push(served.close);
    metrics = served;
  }
  let api: ApiServer | null = null;
  if (runsApi) {
    api = await serveApi({
      config, cron, storage, sql, store, audit, limiter, box: b.box, logger, hub, checks, cluster, traceContext: tracing.traceContext,
      encryptionKeys: b.encryptionKeys, executors: built.executors, jwtKeys, onInitialAdmin: o.onInitialAdmin, isShuttingDown: () => b.shuttingDown, linkBase,
    });
    const stopPruning = api.stopPruning;
    b.toClose.push(async () => stopPruning());
  }

  await cron.start({ scheduler: runsScheduler, worker: runsWorker ? { concurrency: config.worker.concurrency } : false });
  b.started = true;
  const apiUrl = api?.url ?? null;
  const metricsUrl = metrics?.url ?? null;
  logger.info({ role, apiUrl, metricsUrl, embedded: config.storage.database_url === '' }, 'vecron started');
  const stop = stopper(b, { hub, tracing, apiServer: api?.server ?? null });
  return {
    role, cron, apiUrl, metricsUrl, app: api?.app ?? null, routes: api?.routes ?? [], store, audit, storage, sql, hub, metrics: metrics?.metrics ?? null, cluster,
    alerts, stop,
  };
}

/** Tracing from `spanExporter` or `[tracing]`; log lines get the spans' ids when the logger is the server's. */
async function startTracing(b: Boot): Promise<Tracing> {
  const exporter = b.o.spanExporter ?? (await exporterFromConfig(b.config));
  const tracing = createTracing(b.built.cron, { exporter, serviceName: b.config.tracing.service_name, simpleProcessor: b.o.spanExporter !== undefined });
  if (b.correlation) {
    const detach = b.correlation.attach(tracing.spanIds);
    b.toClose.push(async () => detach());
  }
  return tracing;
}

/** Events cross processes over NATS; the start waits at most 5 s for the connection, then goes on. */
async function connectEventBridge(b: Boot, hub: EventHub, receive: boolean): Promise<void> {
  const bridge = natsEventBridge(hub, b.built.natsQueue!, { subject: b.config.queue.events_subject, receive, logger: b.logger });
  b.bridge = bridge;
  let timer: NodeJS.Timeout | undefined;
  const connected = await Promise.race([bridge.ready().then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 5_000)))]);
  clearTimeout(timer);
  if (!connected) b.logger.warn('event bridge: NATS not reachable after 5 s; starting anyway, it connects in the background');
}

/** Alerts of a scheduler or worker process (the given notifiers, the configured webhook and e-mail); returns the list of alerts sent. */
function startAlerts(b: Boot, linkBase: { value: string }): Alert[] {
  const { config, built } = b;
  const notifiers = [...(b.o.notifiers ?? [])];
  if (config.alerts.webhook_urls.length) notifiers.push(webhookNotifier({ urls: config.alerts.webhook_urls, secret: config.alerts.webhook_secret || undefined }));
  if (config.alerts.email.enabled) {
    notifiers.push(configuredEmailNotifier(config, {
      executionLink: (id) => `${linkBase.value.replace(/\/+$/, '')}/dashboard/executions/${encodeURIComponent(id)}`,
      redact: (alert) => scrubSecrets({ storage: built.storage, box: b.box }, alert.job_id, alert),
    }));
  }
  const alerts = createAlerts(built.cron, { notifiers, consecutiveFailures: config.alerts.consecutive_failures, onMissedFire: config.alerts.on_missed_fire, onDeadLetter: config.alerts.on_dead_letter, groupWaitMs: config.alerts.group_wait_seconds * 1000, groupWindowMs: config.alerts.group_window_seconds * 1000, logger: b.logger });
  b.toClose.push(() => alerts.close());
  return alerts.sent;
}

/** The process's graceful stop (once, however often called). */
function stopper(b: Boot, r: { hub: EventHub; tracing: Tracing; apiServer: http.Server | null }): () => Promise<void> {
  const { config, role, logger, built } = b;
  let stopping: Promise<void> | null = null;
  return () => {
    stopping ??= (async () => {
      b.shuttingDown = true;
      logger.info({ role }, 'vecron stopping');
      if (r.apiServer) await closeServer(r.apiServer, 2_000);
      await leaveCluster(b);
      // The hub and its bridge stay up while in-flight executions finish, so their last
      // events still reach other processes (the queue's connection drains in cron.stop()).
      await built.cron.stop({ graceMs: config.worker.shutdown_grace_ms });
      r.hub.close();
      await b.bridge?.close();
      for (const c of b.toClose.reverse()) await c().catch((err: unknown) => logger.error({ err }, 'close failed'));
      await r.tracing.close();
      await built.close();
      logger.info({ role }, 'vecron stopped');
    })();
    return stopping;
  };
}

async function leaveCluster(b: Boot): Promise<void> {
  await b.registered?.stop().catch((err: unknown) => b.logger.warn({ err }, 'could not remove this process from the cluster registry; it ages out'));
}
