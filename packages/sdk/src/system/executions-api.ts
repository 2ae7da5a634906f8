import { randomUUID } from 'node:crypto';
import { uuidV7 } from '../internal/ids.js';
import { readJob } from '../coordination/job-cache.js';
import type { CronSystem, TriggerOptions } from '../create-cron-system.js';
import { ConflictError, NotFoundError, ValidationError, VecronError } from '../errors/errors.js';
import { recordedFiles } from '../files/recorded-files.js';
import { sleep } from '../internal/clock.js';
import { isUuid } from '../internal/ids.js';
import type { Execution } from '../model/execution.js';
import { TERMINAL_STATUSES } from '../model/execution.js';
import type { Job } from '../model/job.js';
import { announceCreated } from '../scheduler/announce.js';
import type { Worker } from '../worker/worker.js';
import type { SystemContext } from './context.js';

/** `cron.executions`: reads, wait, cancel, replay, discard, steps, logs, files (see docs/architecture.md). */
export function createExecutionsApi(ctx: SystemContext, worker: () => Worker | null): CronSystem['executions'] {
  const { storage, filesDir } = ctx;
  return {
    get: async (id) => (isUuid(id) ? (await storage()).getExecution(id) : null),
    list: async (filter) => (filter?.jobId !== undefined && !isUuid(filter.jobId) ? [] : (await storage()).listExecutions(filter)),
    latestPerJob: (jobIds, options) => latestPerJob(ctx, jobIds, options),
    wait: (id, options) => waitForExecution(ctx, id, options),
    async cancel(id) {
      if (!isUuid(id)) return null;
      const status = await (await storage()).requestCancel(id, ctx.clock.now());
      // Running here: abort now rather than at the next heartbeat.
      if (status === 'cancelling') worker()?.cancelLocal(id);
      return status;
    },
    async discard(id, { by = null, reason = null } = {}) {
      if (!isUuid(id)) return false;
      return (await storage()).discardDeadLetter(id, { by: by && isUuid(by) ? by : null, reason, now: ctx.clock.now() });
    },
    replay: (id, options) => replayExecution(ctx, id, options),
    steps: async (id) => (isUuid(id) ? (await storage()).listStepAttempts(id) : []),
    logs: async (id, query) => (isUuid(id) ? (await storage()).listStepLogs(id, query) : []),
    files: async (id) => {
      const e = isUuid(id) ? await (await storage()).getExecution(id) : null;
      return e ? recordedFiles(filesDir, e) : [];
    },
  };
}

/** `executions.latestPerJob`: one read, grouped by job, newest first. */
async function latestPerJob(
  ctx: SystemContext,
  jobIds: string[],
  { perJob, triggerMetadata }: { perJob: number; triggerMetadata?: Record<string, unknown> },
): Promise<Map<string, Execution[]>> {
  if (!Number.isInteger(perJob) || perJob < 1 || perJob > 100) throw new ValidationError('latestPerJob', [{ path: '$.perJob', message: 'must be an integer from 1 to 100' }]);
  const ids = [...new Set(jobIds)].filter(isUuid);
  const out = new Map<string, Execution[]>(ids.map((id) => [id, []]));
  const rows = await (await ctx.storage()).listLatestExecutionsPerJob(ids, perJob, triggerMetadata === undefined ? {} : { triggerMetadata });
  for (const e of rows) out.get(e.jobId)?.push(e);
  for (const list of out.values()) list.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return out;
}

/** `executions.wait`: polls the row, woken early by this process's `execution.finished`. */
async function waitForExecution(ctx: SystemContext, id: string, { timeoutMs = 60_000, signal }: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Execution> {
  const s = await ctx.storage();
  const deadline = Date.now() + timeoutMs;
  let wake: (() => void) | null = null;
  const off = ctx.events.on('execution.finished', (e) => {
    if (e.executionId === id) wake?.();
  });
  try {
    for (;;) {
      const e = isUuid(id) ? await s.getExecution(id) : null;
      if (!e) throw new NotFoundError('execution', id);
      if (TERMINAL_STATUSES.has(e.status)) return e;
      if (Date.now() > deadline) throw new VecronError('WAIT_TIMEOUT', `execution ${id} still ${e.status} after ${timeoutMs} ms`, { retryable: true });
      await Promise.race([sleep(200, signal), new Promise<void>((r) => (wake = r))]);
    }
  } finally {
    off();
  }
}

/** `executions.replay`: a new execution of a finished one, keeping its succeeded steps unless `fromStart`. */
async function replayExecution(
  ctx: SystemContext,
  id: string,
  { fromStart = false, idempotencyKey }: { fromStart?: boolean; idempotencyKey?: string } = {},
): Promise<{ executionId: string; created: boolean }> {
  const s = await ctx.storage();
  const original = isUuid(id) ? await s.getExecution(id) : null;
  if (!original) throw new NotFoundError('execution', id);
  if (!TERMINAL_STATUSES.has(original.status)) throw new ConflictError(`execution ${id} is ${original.status}; only finished executions can be replayed`);
  const now = ctx.clock.now();
  const kept = fromStart ? {} : Object.fromEntries(Object.entries(original.context.steps ?? {}).filter(([, st]) => st.status === 'succeeded'));
  const { execution, created } = await s.createExecution(
    {
      id: uuidV7(),
      jobId: original.jobId,
      idempotencyKey: `replay:${idempotencyKey ?? randomUUID()}`,
      triggerSource: 'replay',
      triggerMetadata: { replay_of: id, from_start: fromStart },
      scheduledFor: original.scheduledFor,
      availableAt: now,
      context: { ...original.context, steps: kept, retry_delays_ms: [] },
      replayOf: id,
    },
    now,
    { markPublished: true },
  );
  if (created) await announceCreated({ storage: s, queue: ctx.queue, events: ctx.events, logger: ctx.logger }, execution, now, { writtenPublished: true });
  return { executionId: execution.id, created };
}

/** `cron.trigger`: a manual or webhook execution of a job, idempotent on `idempotencyKey`. */
export async function triggerJob(ctx: SystemContext, jobId: string, options: TriggerOptions = {}): Promise<{ executionId: string; created: boolean }> {
  const job = await cachedJob(ctx, jobId);
  const source = options.source ?? 'manual';
  if (source === 'manual' && !job.definition.triggers.manual) throw new ConflictError(`job ${job.name} does not allow manual triggers`);
  const now = ctx.clock.now();
  const s = await ctx.storage();
  const { execution, created } = await s.createExecution(
    {
      id: uuidV7(),
      jobId,
      idempotencyKey: `${source}:${options.idempotencyKey ?? randomUUID()}`,
      triggerSource: source,
      triggerMetadata: options.metadata ?? {},
      scheduledFor: null,
      availableAt: now,
      context: {
        steps: {},
        ...(options.payload === undefined ? {} : { payload: options.payload }),
        ...(options.webhook ? { webhook: { payload: options.webhook.payload, headers: options.webhook.headers ?? {}, query_params: options.webhook.query_params ?? {} } } : {}),
      },
    },
    now,
    { markPublished: true },
  );
  if (created) await announceCreated({ storage: s, queue: ctx.queue, events: ctx.events, logger: ctx.logger }, execution, now, { writtenPublished: true });
  return { executionId: execution.id, created };
}

/**
 * The job as the worker sees it: through the coordination cache (invalidated on every change of
 * the job, in every process; at worst 5 s (`JOB_CACHE_TTL_MS`) old when Redis is down), so a
 * trigger costs no read of the job row.
 */
async function cachedJob(ctx: SystemContext, id: string): Promise<Job> {
  const job = isUuid(id) ? await readJob(await ctx.storage(), ctx.coordination, id) : null;
  if (!job) throw new NotFoundError('job', id);
  return job;
}
