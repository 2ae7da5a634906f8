import type { CronSystem } from '@vecron/sdk';

/** A change the dashboard refreshes on: an event of the cron system, or a job change. */
export interface DashboardEvent {
  /** `execution.created`, `execution.started`, `execution.step.started`, `execution.step.finished`, `execution.step.log`, `execution.retrying`, `execution.finished`, `schedule.fired`, `schedule.skipped`, `job.updated`. */
  type: string;
  jobId?: string;
  executionId?: string;
  status?: string;
}

/** Fans events out to the SSE clients of one router. */
export interface LiveEvents {
  subscribe(listener: (e: DashboardEvent) => void): () => void;
  /** Publishes a change made by the dashboard itself (job enabled/disabled). */
  publish(e: DashboardEvent): void;
}

/**
 * Creates the fan-out. The upstream is subscribed lazily, while at least one browser listens,
 * so an idle dashboard adds no listeners to the cron system.
 */
export function createLiveEvents(cron: CronSystem, upstream?: (listener: (e: DashboardEvent) => void) => () => void): LiveEvents {
  const listeners = new Set<(e: DashboardEvent) => void>();
  let detach: (() => void) | null = null;
  const emit = (e: DashboardEvent): void => {
    for (const l of listeners) l(e);
  };
  const fromCron = (send: (e: DashboardEvent) => void): (() => void) => {
    const offs = [
      cron.on('execution.created', ({ execution: x }) => send({ type: 'execution.created', jobId: x.jobId, executionId: x.id, status: x.status })),
      cron.on('execution.started', ({ execution: x }) => send({ type: 'execution.started', jobId: x.jobId, executionId: x.id, status: 'running' })),
      cron.on('execution.step.started', (x) => send({ type: 'execution.step.started', jobId: x.jobId, executionId: x.executionId })),
      cron.on('execution.step.finished', (x) => send({ type: 'execution.step.finished', jobId: x.jobId, executionId: x.executionId })),
      cron.on('execution.step.log', (x) => send({ type: 'execution.step.log', jobId: x.jobId, executionId: x.executionId })),
      cron.on('execution.retrying', (x) => send({ type: 'execution.retrying', jobId: x.jobId, executionId: x.executionId, status: 'pending' })),
      cron.on('execution.finished', (x) => send({ type: 'execution.finished', jobId: x.jobId, executionId: x.executionId, status: x.status })),
      cron.on('schedule.fired', (x) => send({ type: 'schedule.fired', jobId: x.jobId, executionId: x.executionId })),
      cron.on('schedule.skipped', (x) => send({ type: 'schedule.skipped', jobId: x.jobId })),
    ];
    return () => {
      for (const off of offs) off();
    };
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      detach ??= (upstream ?? fromCron)(emit);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && detach) {
          detach();
          detach = null;
        }
      };
    },
    publish: emit,
  };
}
