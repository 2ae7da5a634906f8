import type { CronSystem, Execution } from '@vecron/sdk';
import { randomBytes } from 'node:crypto';
import { createExecutionOrder } from './execution-order.js';

/** An event as `/api/events` streams it (snake_case, JSON-safe). */
export interface ServerEvent {
  type: string;
  at: string;
  job_id?: string;
  execution_id?: string;
  status?: string;
  /** User who triggered the execution, when a person did. */
  triggered_by?: string | null;
  [key: string]: unknown;
}

/** How many recent events the hub keeps for SSE clients that reconnect with `Last-Event-ID`. */
export const REPLAY_MAX_EVENTS = 5_000;
/** How long the hub keeps recent events for reconnecting SSE clients. */
export const REPLAY_MAX_AGE_MS = 5 * 60_000;

/** Fans vecron events (and job changes made through the API) out to SSE clients and bridges. */
export interface EventHub {
  /**
   * Calls `listener` with every event and its id (`<hub id>-<sequence>`, increasing; the hub id
   * changes with each process start).
   */
  subscribe(listener: (e: ServerEvent, id: string) => void): () => void;
  /**
   * The events after `lastId`, oldest first, when this hub still holds every one of them (same
   * process, at most {@link REPLAY_MAX_EVENTS} events and {@link REPLAY_MAX_AGE_MS} old); null when it
   * cannot tell what was missed (another process, or too old): the client must re-read.
   */
  since(lastId: string): Array<{ id: string; event: ServerEvent }> | null;
  /** The id of the latest event (what a client that re-read the state continues from). */
  head(): string;
  /** Publishes an event to local listeners (and to the bridge, if any). */
  publish(e: ServerEvent, fromBridge?: boolean): void;
  /** Sends every locally produced event to another process too (distributed mode). */
  setBridge(send: ((e: ServerEvent) => void) | null): void;
  close(): void;
}

/** Creates the hub over a cron system's local event bus. */
export function createEventHub(cron: CronSystem): EventHub {
  const listeners = new Set<(e: ServerEvent, id: string) => void>();
  const owners = new Map<string, string | null>();
  let bridge: ((e: ServerEvent) => void) | null = null;
  const hubId = randomBytes(6).toString('base64url').replace(/-/g, '_');
  let seq = 0;
  // Recent events for reconnecting clients, oldest first (bounded by count and age).
  const recent: Array<{ seq: number; at: number; event: ServerEvent }> = [];
  // Listeners get each execution's events in lifecycle order, whichever process they came from.
  const order = createExecutionOrder((e) => {
    const n = ++seq;
    const now = Date.now();
    recent.push({ seq: n, at: now, event: e });
    while (recent.length > REPLAY_MAX_EVENTS || (recent.length && now - recent[0]!.at > REPLAY_MAX_AGE_MS)) recent.shift();
    for (const l of listeners) l(e, `${hubId}-${n}`);
  });
  const remember = (e: Execution): void => {
    owners.set(e.id, (e.triggerMetadata.triggered_by as string | undefined) ?? null);
    if (owners.size > 20_000) owners.delete(owners.keys().next().value!);
  };
  const ownerOf = async (executionId: string): Promise<string | null> => {
    if (owners.has(executionId)) return owners.get(executionId)!;
    const e = await cron.executions.get(executionId).catch(() => null);
    if (e) remember(e);
    return e ? ((e.triggerMetadata.triggered_by as string | undefined) ?? null) : null;
  };
  const hub: EventHub = {
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    since(lastId) {
      const m = /^([\w]+)-(\d{1,15})$/.exec(lastId);
      if (!m || m[1] !== hubId) return null;
      const last = Number(m[2]);
      if (last > seq) return null;
      const now = Date.now();
      const kept = recent.filter((r) => now - r.at <= REPLAY_MAX_AGE_MS);
      // Every event after `last` must still be here: the oldest kept one follows it directly or is older.
      const oldest = kept[0]?.seq ?? seq + 1;
      if (oldest > last + 1) return null;
      return kept.filter((r) => r.seq > last).map((r) => ({ id: `${hubId}-${r.seq}`, event: r.event }));
    },
    head: () => `${hubId}-${seq}`,
    publish(e, fromBridge = false) {
      order.push(e);
      if (!fromBridge) bridge?.(e);
    },
    setBridge(send) {
      bridge = send;
    },
    close() {
      for (const off of offs) off();
      order.close();
      listeners.clear();
      recent.length = 0;
    },
  };
  const now = (): string => new Date().toISOString();
  const emitFor = (executionId: string, e: { type: string } & Record<string, unknown>): void => {
    void ownerOf(executionId).then((owner) => hub.publish({ ...e, at: now(), triggered_by: owner }));
  };
  const offs = [
    cron.on('execution.created', ({ execution: x }) => {
      remember(x);
      hub.publish({ type: 'execution.created', at: now(), execution_id: x.id, job_id: x.jobId, status: x.status, trigger_source: x.triggerSource, triggered_by: (x.triggerMetadata.triggered_by as string | undefined) ?? null });
    }),
    cron.on('execution.started', ({ execution: x }) => {
      remember(x);
      hub.publish({ type: 'execution.started', at: now(), execution_id: x.id, job_id: x.jobId, status: 'running', attempt: x.attempt, triggered_by: (x.triggerMetadata.triggered_by as string | undefined) ?? null });
    }),
    cron.on('execution.step.started', (x) => emitFor(x.executionId, { type: 'execution.step.started', execution_id: x.executionId, job_id: x.jobId, step_id: x.stepId, attempt: x.attempt })),
    cron.on('execution.step.finished', (x) => emitFor(x.executionId, { type: 'execution.step.finished', execution_id: x.executionId, job_id: x.jobId, step_id: x.stepId, attempt: x.attempt, step_status: x.status })),
    cron.on('execution.step.log', (x) => emitFor(x.executionId, { type: 'execution.step.log', execution_id: x.executionId, job_id: x.jobId, step_id: x.stepId, attempt: x.attempt, lines: x.lines })),
    cron.on('execution.retrying', (x) => emitFor(x.executionId, { type: 'execution.retrying', execution_id: x.executionId, job_id: x.jobId, status: 'pending', step_id: x.stepId, delay_ms: x.delayMs })),
    cron.on('execution.finished', (x) => emitFor(x.executionId, { type: 'execution.finished', execution_id: x.executionId, job_id: x.jobId, status: x.status, error: x.error ? { code: x.error.code, message: x.error.message } : null })),
    cron.on('schedule.fired', (x) => hub.publish({ type: 'schedule.fired', at: now(), job_id: x.jobId, execution_id: x.executionId, scheduled_for: x.scheduledFor.toISOString() })),
    cron.on('schedule.skipped', (x) => hub.publish({ type: 'schedule.skipped', at: now(), job_id: x.jobId, fire_at: x.fireAt.toISOString(), outcome: x.outcome, reason: x.reason })),
  ];
  return hub;
}
