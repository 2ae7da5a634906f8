import type { Logger } from 'pino';
import type { Coordination } from '../coordination/port.js';
import type { SecretBox } from '../crypto/index.js';
import type { CronEventBus } from '../events.js';
import type { ExecutorRegistry } from '../executor/registry.js';
import type { Clock } from '../internal/clock.js';
import type { ResolvedCronSystemOptions } from '../options.js';
import type { Queue } from '../queue/port.js';
import type { Dispatcher } from '../scheduler/dispatcher.js';
import type { RetentionLoop } from '../scheduler/retention.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { SchedulingApi } from '../scheduler/scheduling-api.js';
import type { Storage } from '../storage/port.js';
import type { Worker } from '../worker/worker.js';

/**
 * What every part of a cron system's API shares: the resolved options, ports and services
 * `createCronSystem` wired together (see docs/architecture.md, "Rooms").
 */
export interface SystemContext {
  readonly opts: ResolvedCronSystemOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: ExecutorRegistry;
  readonly queue: Queue;
  readonly coordination: Coordination;
  readonly events: CronEventBus;
  /** The secret box of variables, or null without an `encryptionKey`. */
  readonly box: SecretBox | null;
  /** The absolute root of the per-execution file areas. */
  readonly filesDir: string;
  readonly workerId: string;
  readonly scheduling: SchedulingApi;
  /** The storage, opened on first use (the given one, or the embedded default). */
  storage(): Promise<Storage>;
  /** The storage's opening when `storage()` was ever called, else null (nothing to close). */
  openedStorage(): Promise<Storage> | null;
}

/** The roles this process runs and where its lifecycle stands (mutated by start, stop, drain). */
export interface RoleState {
  scheduler: Scheduler | null;
  dispatcher: Dispatcher | null;
  retention: RetentionLoop | null;
  worker: Worker | null;
  workerLoop: Promise<void> | null;
  stopped: boolean;
  draining: Promise<void> | null;
  dependenciesChecked: boolean;
}

/** A fresh role state: nothing started. */
export function noRoles(): RoleState {
  return { scheduler: null, dispatcher: null, retention: null, worker: null, workerLoop: null, stopped: false, draining: null, dependenciesChecked: false };
}
