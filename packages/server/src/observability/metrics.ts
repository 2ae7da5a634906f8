import { requireCjs } from './cjs.js';
import type * as PromClient from 'prom-client';
import type { Registry } from 'prom-client';
import type { CronSystem, SqlClient, Storage } from '@vecron/sdk';

/** Prometheus metrics fed by vecron events. */
export interface Metrics {
  registry: Registry;
  close(): void;
}

// prom-client requires @opentelemetry/api; see requireCjs for why it is loaded this way.
const promClient = (): typeof PromClient => requireCjs<typeof PromClient>('prom-client');

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/**
 * Registers `job_success_total`, `job_failed_total`, `job_duration_seconds`, `job_queue_size`, the
 * cluster gauges `vecron_executions_running`, `vecron_oldest_pending_seconds`, `vecron_dead_letters`,
 * `vecron_live_processes{role}`,
 * `schedule_lag_seconds`, `schedule_skipped_total{outcome,reason}`, `step_duration_seconds{type}`,
 * `vecron_dispatches_total{reason}` (lease reclaims, re-publishes), `vecron_retention_deleted_total{kind}`, the NATS consumer lag
 * `vecron_queue_consumer_pending|ack_pending|redelivered`
 * (plus process defaults, prefixed `vecron_`) on a private registry.
 */
export function createMetrics(cron: CronSystem, db: { storage: Pick<Storage, 'executionStats'>; sql: SqlClient } | undefined, opts: {
  defaultMetrics?: boolean;
  /** The NATS work consumer's lag (NATS only); read at each scrape with a 2 s limit. */
  queueLag?: () => Promise<{ pending: number; ackPending: number; redelivered: number }>;
} = {}): Metrics {
  const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = promClient();
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'vecron_' });
  const success = new Counter({ name: 'job_success_total', help: 'Executions that finished with success', labelNames: ['job'], registers: [registry] });
  const failed = new Counter({ name: 'job_failed_total', help: 'Executions that finished failed, timed out or dead-lettered', labelNames: ['job', 'status'], registers: [registry] });
  const duration = new Histogram({ name: 'job_duration_seconds', help: 'Execution duration from start to finish', labelNames: ['job', 'status'], buckets: DURATION_BUCKETS, registers: [registry] });
  const lag = new Histogram({ name: 'schedule_lag_seconds', help: 'Delay between a scheduled fire time and the moment it fired', buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300], registers: [registry] });
  const skipped = new Counter({ name: 'schedule_skipped_total', help: 'Fires not run: outcome "skipped" (a policy or calendar chose so) or "missed" (too late under the misfire policy)', labelNames: ['outcome', 'reason'], registers: [registry] });
  const retained = new Counter({
    name: 'vecron_retention_deleted_total',
    help: 'Old history deleted by retention in this process (docs/operations.md#retention), by kind: executions (with their step attempts and logs), ledger (fire-ledger rows), files (execution file folders)',
    labelNames: ['kind'], registers: [registry],
  });
  for (const kind of ['executions', 'ledger', 'files']) retained.inc({ kind }, 0);
  const dispatched = new Counter({
    name: 'vecron_dispatches_total',
    help: 'Executions published by this process\'s dispatcher, by reason: lease_expired (a lease reclaim: the worker died or stalled), republish (a lost message), requeued (a retry or hand-back), new (not published when created, e.g. the queue was down)',
    labelNames: ['reason'], registers: [registry],
  });
  for (const reason of ['new', 'requeued', 'lease_expired', 'republish']) dispatched.inc({ reason }, 0);
  if (opts.queueLag) registerQueueLagGauges(registry, Gauge, opts.queueLag);
  const stepDuration = new Histogram({ name: 'step_duration_seconds', help: 'Step attempt duration by step type', labelNames: ['type', 'status'], buckets: DURATION_BUCKETS, registers: [registry] });
  registerClusterGauges(registry, Gauge, db);
  const offs = subscribeToEvents(cron, { success, failed, duration, lag, skipped, retained, dispatched, stepDuration });
  return { registry, close: () => offs.forEach((off) => off()) };
}

/** The NATS work consumer's lag, as `opts.queueLag` reports it. */
type QueueLag = { pending: number; ackPending: number; redelivered: number };

/** The counters and histograms fed by events (see {@link subscribeToEvents}). */
interface EventInstruments {
  success: PromClient.Counter;
  failed: PromClient.Counter;
  duration: PromClient.Histogram;
  lag: PromClient.Histogram;
  skipped: PromClient.Counter;
  retained: PromClient.Counter;
  dispatched: PromClient.Counter;
  stepDuration: PromClient.Histogram;
}

/** `vecron_queue_consumer_*`: the NATS consumer lag, read at most once a second with a 2 s limit. */
function registerQueueLagGauges(registry: Registry, Gauge: typeof PromClient.Gauge, queueLag: () => Promise<QueueLag>): void {
  let lag: Promise<QueueLag | null> | null = null;
  const read = (): NonNullable<typeof lag> => {
    lag ??= Promise.race([queueLag(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timed out')), 2_000).unref())])
      .catch(() => null) // NATS down: the gauges keep their last value; /ready reports the outage
      .finally(() => setTimeout(() => (lag = null), 1_000).unref());
    return lag;
  };
  const gauge = (name: string, help: string, pick: (l: QueueLag) => number): void => {
    new Gauge({
      name, help, registers: [registry],
      async collect() {
        const l = await read();
        if (l) this.set(pick(l));
      },
    });
  };
  gauge('vecron_queue_consumer_pending', 'NATS work consumer: messages no worker has fetched yet (consumer lag)', (l) => l.pending);
  gauge('vecron_queue_consumer_ack_pending', 'NATS work consumer: messages delivered and not yet acked (running, or waiting for their start time)', (l) => l.ackPending);
  gauge('vecron_queue_consumer_redelivered', 'NATS work consumer: messages delivered more than once and not yet acked', (l) => l.redelivered);
}

/**
 * Cluster-wide state read from the database at each scrape, so every process (api ones too)
 * reports the same numbers: the core's counts through the storage port (one query), the live
 * processes from the server's own registry table.
 */
function registerClusterGauges(registry: Registry, Gauge: typeof PromClient.Gauge, db: { storage: Pick<Storage, 'executionStats'>; sql: SqlClient } | undefined): void {
  let cluster: Promise<{ pending: number; running: number; oldest: number; dead: number; roles: Array<{ role: string; n: number }> }> | null = null;
  const clusterState = (): typeof cluster => {
    if (!db) return null;
    cluster ??= (async () => {
      try {
        const stats = await db.storage.executionStats();
        const { rows: roles } = await db.sql.query<{ role: string; n: number }>(`SELECT role, count(*)::int AS n FROM vecron_processes WHERE heartbeat_at > now() - interval '30 seconds' GROUP BY role`);
        return { pending: stats.pending, running: stats.running, oldest: stats.oldestDuePendingSeconds, dead: stats.deadLetters, roles };
      } finally {
        setTimeout(() => (cluster = null), 1_000).unref();
      }
    })();
    return cluster;
  };
  new Gauge({
    name: 'job_queue_size', help: 'Executions waiting to run (pending)', registers: [registry],
    async collect() {
      const c = await clusterState();
      if (c) this.set(c.pending);
    },
  });
  new Gauge({
    name: 'vecron_executions_running', help: 'Executions running in the whole cluster (from the database)', registers: [registry],
    async collect() {
      const c = await clusterState();
      if (c) this.set(c.running);
    },
  });
  new Gauge({
    name: 'vecron_oldest_pending_seconds', help: 'Age of the oldest execution that is due and not started, cluster-wide (0 when none)', registers: [registry],
    async collect() {
      const c = await clusterState();
      if (c) this.set(c.oldest);
    },
  });
  new Gauge({
    name: 'vecron_dead_letters', help: 'Executions in dead_letter, cluster-wide', registers: [registry],
    async collect() {
      const c = await clusterState();
      if (c) this.set(c.dead);
    },
  });
  new Gauge({
    name: 'vecron_live_processes', help: 'Processes with a heartbeat in the last 30 s, by role (from the cluster registry)', labelNames: ['role'], registers: [registry],
    async collect() {
      const c = await clusterState();
      if (!c) return;
      this.reset();
      for (const r of c.roles) this.set({ role: r.role }, r.n);
    },
  });
}

/** A job's name and step types by step id, cached for a minute per job. */
function jobInfoCache(cron: CronSystem): (id: string) => Promise<{ name: string; types: Map<string, string> }> {
  const jobs = new Map<string, { name: string; types: Map<string, string> }>();
  return async (id) => {
    const hit = jobs.get(id);
    if (hit) return hit;
    const job = await cron.jobs.get(id).catch(() => null);
    const info = { name: job?.name ?? id, types: new Map(job?.definition.steps.map((s) => [s.id, s.type]) ?? []) };
    if (job) {
      jobs.set(id, info);
      setTimeout(() => jobs.delete(id), 60_000).unref();
    }
    return info;
  };
}

/** Feeds the instruments from vecron events; returns the unsubscribers. */
function subscribeToEvents(cron: CronSystem, m: EventInstruments): Array<() => void> {
  const { success, failed, duration, lag, skipped, retained, dispatched, stepDuration } = m;
  const jobInfo = jobInfoCache(cron);
  const stepStarts = new Map<string, number>();
  return [
    cron.on('execution.finished', (x) => {
      void (async () => {
        const [info, e] = await Promise.all([jobInfo(x.jobId), cron.executions.get(x.executionId).catch(() => null)]);
        if (x.status === 'success') success.inc({ job: info.name });
        else if (x.status === 'failed' || x.status === 'timeout' || x.status === 'dead_letter') failed.inc({ job: info.name, status: x.status });
        if (e?.startedAt && e.finishedAt) duration.observe({ job: info.name, status: x.status }, (e.finishedAt.getTime() - e.startedAt.getTime()) / 1000);
      })();
    }),
    cron.on('execution.dispatched', (x) => dispatched.inc({ reason: x.reason })),
    cron.on('retention.purged', (x) => {
      retained.inc({ kind: 'executions' }, x.executions);
      retained.inc({ kind: 'ledger' }, x.ledger);
      retained.inc({ kind: 'files' }, x.files);
    }),
    cron.on('schedule.fired', (x) => lag.observe(Math.max(0, (Date.now() - x.scheduledFor.getTime()) / 1000))),
    // The reason's first word only ("disabled", "overlap", "calendar", …): the full text names dates and would make a label per fire.
    cron.on('schedule.skipped', (x) => skipped.inc({ outcome: x.outcome, reason: /^[a-z_]+/i.exec(x.reason)?.[0]?.toLowerCase() ?? 'other' })),
    cron.on('execution.step.started', (x) => {
      stepStarts.set(`${x.executionId}:${x.stepId}:${x.attempt}`, performance.now());
    }),
    cron.on('execution.step.finished', (x) => {
      const key = `${x.executionId}:${x.stepId}:${x.attempt}`;
      const t0 = stepStarts.get(key);
      stepStarts.delete(key);
      if (t0 === undefined) return;
      const seconds = (performance.now() - t0) / 1000;
      void jobInfo(x.jobId).then((info) => stepDuration.observe({ type: info.types.get(x.stepId) ?? 'unknown', status: x.status }, seconds));
    }),
  ];
}
