import { createHmac } from 'node:crypto';
import type { CronSystem } from '@vecron/sdk';
import type { Logger } from 'pino';

/** One alert. */
export interface Alert {
  kind: 'consecutive_failures' | 'missed_fire' | 'dead_letter';
  job_id: string;
  job_name: string;
  message: string;
  at: string;
  execution_id?: string;
  details?: Record<string, unknown>;
}

/** Sends alerts somewhere (webhook, email, chat). */
export interface Notifier {
  name: string;
  notify(alert: Alert, signal: AbortSignal): Promise<void>;
}

/**
 * Built-in notifier: POSTs the alert as JSON to each URL, with `X-Vecron-Signature:
 * sha256=HMAC(secret, timestamp.body)` and `X-Vecron-Timestamp` when a secret is set.
 */
export function webhookNotifier(opts: { urls: string[]; secret?: string; timeoutMs?: number }): Notifier {
  return {
    name: 'webhook',
    async notify(alert, signal) {
      const body = JSON.stringify(alert);
      const ts = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-vecron-timestamp': ts };
      if (opts.secret) headers['x-vecron-signature'] = `sha256=${createHmac('sha256', opts.secret).update(`${ts}.${body}`).digest('hex')}`;
      for (const url of opts.urls) {
        const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.any([signal, AbortSignal.timeout(opts.timeoutMs ?? 10_000)]) });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new Error(`alert webhook ${url} answered ${res.status}`);
      }
    },
  };
}

/** Options of the alerts of the reference server (`createAlerts`, started by `startServer`). */
export interface AlertOptions {
  notifiers: Notifier[];
  /** Alert when a job fails this many times in a row. @default 3 */
  consecutiveFailures: number;
  /** @default true */
  onMissedFire: boolean;
  /** @default true */
  onDeadLetter: boolean;
  logger: Logger;
}

const FAILED = new Set(['failed', 'timeout', 'dead_letter']);

/**
 * Watches vecron events in this process (the worker sees finishes, the scheduler sees misses)
 * and notifies: a job failing N times in a row (once, at the N-th; again only after a success),
 * a missed fire, an execution landing in the dead-letter queue.
 */
export function createAlerts(cron: CronSystem, o: AlertOptions): { close(): Promise<void>; sent: Alert[] } {
  const sent: Alert[] = [];
  const inflight = new Set<Promise<void>>();
  const abort = new AbortController();
  const send = (alert: Alert): void => {
    sent.push(alert);
    if (sent.length > 100) sent.shift();
    for (const n of o.notifiers) {
      const p = n.notify(alert, abort.signal).catch((err: unknown) => o.logger.error({ err, notifier: n.name, alert: alert.kind }, 'alert notification failed'));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
  };
  const nameOf = async (jobId: string): Promise<string> => (await cron.jobs.get(jobId).catch(() => null))?.name ?? jobId;
  const offs = [
    cron.on('execution.finished', (x) => {
      if (!FAILED.has(x.status)) return;
      void (async () => {
        const name = await nameOf(x.jobId);
        if (x.status === 'dead_letter' && o.onDeadLetter) {
          send({ kind: 'dead_letter', job_id: x.jobId, job_name: name, execution_id: x.executionId, at: new Date().toISOString(), message: `execution of ${name} moved to the dead-letter queue`, details: { status: x.status, error: x.error?.code ?? null, error_message: x.error?.message ?? null } });
        }
        // Read from storage so the count holds across worker processes.
        const recent = await cron.executions.list({ jobId: x.jobId, status: ['success', 'failed', 'timeout', 'dead_letter'], limit: o.consecutiveFailures + 1 });
        const streak = recent.findIndex((e) => !FAILED.has(e.status));
        const run = streak === -1 ? recent.length : streak;
        if (run === o.consecutiveFailures && recent[0]?.id === x.executionId) {
          send({ kind: 'consecutive_failures', job_id: x.jobId, job_name: name, execution_id: x.executionId, at: new Date().toISOString(), message: `${name} failed ${run} times in a row`, details: { count: run, status: x.status, last_error: x.error?.code ?? null, error_message: x.error?.message ?? null } });
        }
      })().catch((err: unknown) => o.logger.error({ err }, 'alert evaluation failed'));
    }),
    cron.on('schedule.skipped', (x) => {
      if (x.outcome !== 'missed' || !o.onMissedFire) return;
      void nameOf(x.jobId).then((name) => send({ kind: 'missed_fire', job_id: x.jobId, job_name: name, at: new Date().toISOString(), message: `${name} missed its fire at ${x.fireAt.toISOString()}`, details: { fire_at: x.fireAt.toISOString(), reason: x.reason } }));
    }),
  ];
  return {
    sent,
    async close() {
      for (const off of offs) off();
      await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, 2_000).unref())]);
      abort.abort();
    },
  };
}
