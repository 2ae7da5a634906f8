import type { CronSystem, Execution } from '@vecron/sdk';
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

/** Fans vecron events (and job changes made through the API) out to SSE clients and bridges. */
export interface EventHub {
  subscribe(listener: (e: ServerEvent) => void): () => void;
  /** Publishes an event to local listeners (and to the bridge, if any). */
  publish(e: ServerEvent, fromBridge?: boolean): void;
  /** Sends every locally produced event to another process too (distributed mode). */
  setBridge(send: ((e: ServerEvent) => void) | null): void;
  close(): void;
}

/** Creates the hub over a cron system's local event bus. */
export function createEventHub(cron: CronSystem): EventHub {
  const listeners = new Set<(e: ServerEvent) => void>();
  const owners = new Map<string, string | null>();
  let bridge: ((e: ServerEvent) => void) | null = null;
  // Listeners get each execution's events in lifecycle order, whichever process they came from.
  const order = createExecutionOrder((e) => {
    for (const l of listeners) l(e);
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
    cron.on('execution.retrying', (x) => emitFor(x.executionId, { type: 'execution.retrying', execution_id: x.executionId, job_id: x.jobId, status: 'pending', step_id: x.stepId, delay_ms: x.delayMs })),
    cron.on('execution.finished', (x) => emitFor(x.executionId, { type: 'execution.finished', execution_id: x.executionId, job_id: x.jobId, status: x.status, error: x.error ? { code: x.error.code, message: x.error.message } : null })),
    cron.on('schedule.fired', (x) => hub.publish({ type: 'schedule.fired', at: now(), job_id: x.jobId, execution_id: x.executionId, scheduled_for: x.scheduledFor.toISOString() })),
    cron.on('schedule.skipped', (x) => hub.publish({ type: 'schedule.skipped', at: now(), job_id: x.jobId, fire_at: x.fireAt.toISOString(), outcome: x.outcome, reason: x.reason })),
  ];
  return hub;
}
