import type { CronEventBus } from '../events.js';
import type { Queue } from '../queue/port.js';
import type { Dispatcher } from '../scheduler/dispatcher.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Storage } from '../storage/port.js';
import type { Worker } from '../worker/worker.js';

/**
 * The resolved storage, queue and roles of a cron system, for vecron's own tests and benchmarks
 * (e.g. a deterministic `scheduler().tick()`). Not exported from any entry point: nothing a user
 * or the reference server can reach.
 */
export interface CronInternals {
  storage(): Promise<Storage>;
  queue: Queue;
  events: CronEventBus;
  scheduler(): Scheduler | null;
  dispatcher(): Dispatcher | null;
  worker(): Worker | null;
}

const byCron = new WeakMap<object, CronInternals>();

/** Called once by `createCronSystem`. */
export function registerInternals(cron: object, internals: CronInternals): void {
  byCron.set(cron, internals);
}

/** The internals of a system made by `createCronSystem` (of this module instance). */
export function internalsOf(cron: object): CronInternals {
  const found = byCron.get(cron);
  if (!found) throw new TypeError('not a cron system made by this @vecron/sdk');
  return found;
}
