import { uuidV7 } from '../internal/ids.js';
import { ConflictError, StorageError } from '../errors/errors.js';
import { beforeAbort } from '../internal/abort.js';
import type { StartOptions } from '../options.js';
import { createDispatcher } from '../scheduler/dispatcher.js';
import { createRetentionLoop } from '../scheduler/retention.js';
import { createScheduler } from '../scheduler/scheduler.js';
import type { Storage } from '../storage/port.js';
import { createVariables } from '../variables/variables.js';
import { DEFAULT_STEP_LOG_SETTINGS } from '../worker/step-logs.js';
import { createWorker } from '../worker/worker.js';
import type { RoleState, SystemContext } from './context.js';

/**
 * `cron.start`: checks the dependencies once, then starts the roles asked for that are not
 * running yet (scheduler and retention, worker, and the dispatcher any of them needs).
 * See docs/architecture.md, "One execution, end to end".
 */
export async function startRoles(ctx: SystemContext, state: RoleState, start: StartOptions = {}): Promise<void> {
  if (state.stopped) throw new ConflictError('a stopped cron system cannot be started again; create a new one');
  if (!state.dependenciesChecked) {
    try {
      await checkDependencies(ctx);
    } catch (err) {
      // Leave nothing open (no reconnect loop, no socket), so a process that gives up can exit.
      await stopSystem(ctx, state, 0).catch(() => undefined);
      throw err;
    }
    state.dependenciesChecked = true;
  }
  const s = await ctx.storage();
  const workerOpt = start.worker === undefined ? {} : start.worker;
  if ((start.scheduler ?? true) && !state.scheduler) startScheduler(ctx, state, s);
  if (workerOpt && !state.worker && !state.draining) startWorker(ctx, state, s, workerOpt.concurrency ?? 4);
  if ((state.scheduler || state.worker) && !state.dispatcher) await startDispatcher(ctx, state, s);
}

/**
 * Fail fast: the storage opens and the queue and coordination servers answer one round trip
 * before `startTimeoutMs`, or `start()` rejects naming the server and the cause. With
 * `strict: false` an unreachable coordination server is only reported.
 */
async function checkDependencies(ctx: SystemContext): Promise<void> {
  const { opts } = ctx;
  // The embedded store is opened without a deadline: it talks to no server, only to this
  // process's CPU (PGlite), and a busy machine makes it slow, not wrong.
  if (opts.storage) {
    const storageDeadline = AbortSignal.timeout(opts.startTimeoutMs);
    await beforeAbort(ctx.storage(), storageDeadline, () => new StorageError(`the storage did not open within ${opts.startTimeoutMs} ms (startTimeoutMs)`, { retryable: true }));
  } else {
    await ctx.storage();
  }
  const signal = AbortSignal.timeout(opts.startTimeoutMs);
  await ctx.queue.check?.({ signal });
  try {
    await ctx.coordination.check?.({ signal });
  } catch (error) {
    if (opts.strict) throw error;
    ctx.logger.warn({ err: error }, 'coordination server unreachable at start; going on without it (strict: false)');
    ctx.events.emit('error', { where: 'coordination', error });
  }
}

/**
 * Due schedules locked per claim transaction. A burst is fired in transactions of this many: each
 * scans past the index entries the earlier ones left dead, so fewer, larger ones cost less (a
 * 100,000-schedule burst: 500 → 5,000 took client CPU per fire 58 → 42 µs and PostgreSQL's
 * 85 → 72 µs); the rows stay locked for the transaction (about a second at this size), which
 * other schedulers skip.
 */
const SCHEDULES_PER_CLAIM = 5_000;

/** Starts the scheduler, and the retention loop when `retention.enabled`. */
function startScheduler(ctx: SystemContext, state: RoleState, s: Storage): void {
  const { opts, queue, events, clock, logger } = ctx;
  state.scheduler = createScheduler({
    storage: s, queue, events, clock, logger: logger.child({ role: 'scheduler' }),
    settings: {
      pollIntervalMs: opts.pollIntervalMs, batchSize: SCHEDULES_PER_CLAIM, newExecutionId: () => uuidV7(),
      defaultTimeZone: opts.timezone, maxFiresPerTick: opts.maxFiresPerTick, misfireThresholdMs: opts.misfireThresholdMs,
    },
  });
  state.scheduler.start();
  if (opts.retention?.enabled && !state.retention) {
    state.retention = createRetentionLoop({
      storage: s, events, clock, logger: logger.child({ role: 'retention' }), filesDir: ctx.filesDir, settings: opts.retention, coordination: ctx.coordination,
    });
    state.retention.start();
  }
}

/** Starts this process's worker with `concurrency` executions at once. */
function startWorker(ctx: SystemContext, state: RoleState, s: Storage, concurrency: number): void {
  const { opts, clock, workerId } = ctx;
  state.worker = createWorker({
    coordination: ctx.coordination,
    storage: s, queue: ctx.queue, executors: ctx.registry, variables: createVariables(s, ctx.box, clock), events: ctx.events, clock,
    logger: ctx.logger.child({ role: 'worker', workerId }),
    settings: {
      workerId, concurrency, leaseMs: opts.leaseMs, ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}), backoff: opts.backoff, filesDir: ctx.filesDir,
      defaultTimeZone: opts.timezone, overlapRetryMs: Math.min(1_000, opts.pollIntervalMs),
      stepLogs: { ...DEFAULT_STEP_LOG_SETTINGS, ...opts.stepLogs },
    },
  });
  state.workerLoop = state.worker.start();
}

/** Starts the dispatcher (outbox relay and reaper) after one first pass. */
async function startDispatcher(ctx: SystemContext, state: RoleState, s: Storage): Promise<void> {
  const { opts, queue, events, logger } = ctx;
  const dispatcher = createDispatcher({
    coordination: ctx.coordination,
    storage: s, queue, events, clock: ctx.clock, logger: logger.child({ role: 'dispatcher' }),
    settings: { intervalMs: opts.dispatchIntervalMs, republishAfterMs: opts.republishAfterMs, batchSize: 1_000 },
  });
  state.dispatcher = dispatcher;
  // After a restart an in-process queue is empty: publish everything pending once (a
  // durable queue still holds them: only what was never published goes out). A transient
  // failure here (a deadlock victim, a database blip) must not fail start(): the loop
  // repeats the full pass until it succeeds.
  const fullPass = queue.durable !== true;
  let republished = true;
  try {
    await dispatcher.tick(fullPass);
  } catch (error) {
    republished = false;
    logger.warn({ err: error }, 'first dispatch pass failed; the dispatcher loop retries it');
    events.emit('error', { where: 'dispatcher', error });
  }
  dispatcher.start({ republishAllFirst: fullPass && !republished });
}

/**
 * `cron.stop`: stops every role (in-flight executions get `graceMs`), then closes what this
 * system owns. Every close runs even when an earlier one fails; the first failure is thrown.
 */
export async function stopSystem(ctx: SystemContext, state: RoleState, graceMs: number): Promise<void> {
  const { opts } = ctx;
  if (state.stopped) return;
  state.stopped = true;
  await state.retention?.stop();
  await state.scheduler?.stop();
  await state.dispatcher?.stop();
  await (state.draining ?? state.worker?.stop(graceMs));
  await state.workerLoop;
  // What this system created is always closed; what was passed in too unless closePassedIn is false.
  const own = (given: unknown): boolean => given === undefined || opts.closePassedIn;
  const closes: Array<() => Promise<unknown>> = [];
  if (own(opts.queue)) closes.push(() => ctx.queue.close());
  if (own(opts.coordination)) closes.push(() => ctx.coordination.close());
  if (opts.closePassedIn) closes.push(() => ctx.registry.closeAll());
  const opened = ctx.openedStorage();
  if (opened && own(opts.storage)) {
    closes.push(async () => {
      const s = await opened.catch(() => null); // a store that never opened has nothing to close
      await s?.close();
    });
  }
  const failed: unknown[] = [];
  for (const close of closes) await close().catch((err: unknown) => failed.push(err));
  if (failed.length) throw failed[0];
}

/** `cron.drain`: stops this process's worker once (within `graceMs`); other roles keep running. */
export async function drainWorker(state: RoleState, graceMs: number): Promise<void> {
  state.draining ??= (async () => {
    await state.worker?.stop(graceMs);
    await state.workerLoop;
  })();
  await state.draining;
}
