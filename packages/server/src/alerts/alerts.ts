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
  /**
   * Grouping: the first alert of a job and kind waits this long for others of the same job and
   * kind (a scheduler catching up after an outage records every missed fire at once), then one
   * alert goes out for all of them. 0 sends the first at once. @default 5000
   */
  groupWaitMs?: number;
  /**
   * After an alert of a job and kind, others of that job and kind within this window are held and
   * sent as one alert when it ends. 0 turns grouping off (one alert per event). @default 300000
   */
  groupWindowMs?: number;
  logger: Logger;
}

/** The alerts of one job and kind held for one grouped alert. */
interface Group {
  alerts: Alert[];
  timer: NodeJS.Timeout | null;
}

/** One alert for `held` (same job and kind, oldest first): the alert itself when alone. */
export function groupedAlert(held: Alert[], windowMs: number): Alert {
  const first = held[0]!;
  if (held.length === 1) return first;
  const last = held.at(-1)!;
  const fires = held.map((a) => a.details?.fire_at).filter((v): v is string => typeof v === 'string').sort();
  const what = first.kind === 'missed_fire' ? `missed ${held.length} fires${fires.length ? ` between ${fires[0]} and ${fires.at(-1)}` : ''}`
    : first.kind === 'dead_letter' ? `had ${held.length} executions moved to the dead-letter queue`
    : `kept failing (${held.length} alerts)`;
  return {
    ...last,
    message: `${first.job_name} ${what} (grouped: one alert per job and kind per ${Math.round(windowMs / 1000)} s)`,
    details: {
      ...last.details,
      grouped: held.length,
      first_at: first.at,
      last_at: last.at,
      ...(fires.length ? { first_fire_at: fires[0], last_fire_at: fires.at(-1) } : {}),
      execution_ids: held.map((a) => a.execution_id).filter((v): v is string => typeof v === 'string').slice(0, 20),
    },
  };
}

const FAILED = new Set(['failed', 'timeout', 'dead_letter']);

/**
 * Watches vecron events in this process (the worker sees finishes, the scheduler sees misses)
 * and notifies: a job failing N times in a row (once, at the N-th; again only after a success),
 * a missed fire, an execution landing in the dead-letter queue. Alerts are grouped per job and
 * kind: one alert per group wait, then at most one per window with everything held meanwhile
 * (a scheduler down for 100 s sends one alert per job for all its missed fires, not one per fire).
 * Grouping is per process.
 */
export function createAlerts(cron: CronSystem, o: AlertOptions): { close(): Promise<void>; sent: Alert[] } {
  const sent: Alert[] = [];
  const inflight = new Set<Promise<void>>();
  const abort = new AbortController();
  const waitMs = o.groupWaitMs ?? 5_000;
  const windowMs = o.groupWindowMs ?? 300_000;
  const groups = new Map<string, Group>();
  const flush = (key: string): void => {
    const g = groups.get(key);
    if (!g) return;
    g.timer = null;
    if (!g.alerts.length) {
      // A window without new alerts: the next one goes through the wait again.
      groups.delete(key);
      return;
    }
    deliver(groupedAlert(g.alerts, windowMs));
    g.alerts = [];
    g.timer = setTimeout(() => flush(key), windowMs);
    g.timer.unref();
  };
  /** Grouped per job and kind (see {@link AlertOptions.groupWaitMs} and `groupWindowMs`). */
  const send = (alert: Alert): void => {
    if (windowMs <= 0) return deliver(alert);
    const key = `${alert.kind}\u0000${alert.job_id}`;
    const g = groups.get(key);
    if (g) {
      g.alerts.push(alert);
      return;
    }
    const fresh: Group = { alerts: [alert], timer: null };
    groups.set(key, fresh);
    if (waitMs <= 0) return flush(key);
    fresh.timer = setTimeout(() => flush(key), waitMs);
    fresh.timer.unref();
  };
  const deliver = (alert: Alert): void => {
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
      // Held alerts go out now rather than being lost with the process.
      for (const [key, g] of groups) {
        if (g.timer) clearTimeout(g.timer);
        if (g.alerts.length) deliver(groupedAlert(g.alerts, windowMs));
        groups.delete(key);
      }
      await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, 2_000).unref())]);
      abort.abort();
    },
  };
}
