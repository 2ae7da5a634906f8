import { promises as fs } from 'node:fs';
import type { Logger } from 'pino';
import { executionFilesDir } from '../files/file-area.js';
import { sleep } from '../internal/clock.js';
import type { Job } from '../model/job.js';
import type { PurgedExecutions, Storage } from '../storage/port.js';
import { daysBefore, rulesForJob, systemRules } from './retention-rules.js';
import type { RetentionRules } from './retention-rules.js';

/** What one retention pass deleted (or, dry, would delete). */
export interface RetentionCounts {
  /** Executions, with their step attempts and step logs. */
  executions: number;
  /** Fire-ledger rows. */
  ledger: number;
  /** Execution file folders removed (a dry run removes and counts none). */
  files: number;
}

/** How one pass runs. */
export interface RetentionPassOptions {
  rules: RetentionRules;
  /** Whether the jobs' own `retention` wins over `rules` (false: `rules` for every job, e.g. an operator's explicit purge). */
  jobRules: boolean;
  /** Only this job. */
  jobId?: string | undefined;
  dryRun: boolean;
  batchSize: number;
  pauseMs: number;
  now: Date;
  signal?: AbortSignal | undefined;
}

/** What a pass needs. `onBatch` hears each batch's counts as it is deleted (events, metrics). */
export interface RetentionPassDeps {
  storage: Storage;
  filesDir: string;
  logger: Logger;
  /** Folders whose delete failed, retried at the next pass (owned by the loop; a pass adds to it). */
  failedFolders: Map<string, { jobId: string; executionId: string }>;
  onBatch?: (counts: RetentionCounts) => void;
  /** Removes a folder (tests inject failures). @default fs.rm, recursive */
  removeDir?: (dir: string) => Promise<void>;
}

const DRY_RUN_LIMIT = 2_147_483_647;

/** The rows one age statement covers: one job's, or every job's but some. */
type AgeScope = { jobId: string } | { exceptJobIds: string[] };

/** Every job (retention reads their policies), paged. */
async function allJobs(storage: Storage): Promise<Job[]> {
  const jobs: Job[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await storage.listJobs({ limit: 1000, offset });
    jobs.push(...page);
    if (page.length < 1000) return jobs;
  }
}

/**
 * One retention pass (docs/operations.md#retention): for each kind, one statement for the jobs
 * that follow the system's rules (the others excepted) and one per job with rules of its own, each
 * repeated in batches of `batchSize` with a pause between them until a batch comes back short.
 * Open executions and unhandled dead letters are never deleted (the storage guarantees it). File
 * folders go after their rows; a folder that cannot be removed is logged and retried next pass.
 */
export async function runRetentionPass(deps: RetentionPassDeps, options: RetentionPassOptions): Promise<RetentionCounts> {
  const { storage } = deps;
  const { now, dryRun, signal } = options;
  const total: RetentionCounts = { executions: 0, ledger: 0, files: 0 };
  const limit = dryRun ? DRY_RUN_LIMIT : options.batchSize;

  const report = (counts: RetentionCounts): void => {
    total.executions += counts.executions;
    total.ledger += counts.ledger;
    total.files += counts.files;
    if (!dryRun && counts.executions + counts.ledger + counts.files > 0) deps.onBatch?.(counts);
  };

  /** Repeats one kind's statement until a batch comes back short (a dry run counts in one go). */
  const repeat = async (batch: () => Promise<RetentionCounts & { full: boolean }>): Promise<void> => {
    for (;;) {
      if (signal?.aborted) return;
      const { full, ...counts } = await batch();
      report(counts);
      if (dryRun || !full) return;
      await sleep(options.pauseMs, signal).catch(() => undefined);
    }
  };
  const executions = (purge: () => Promise<PurgedExecutions>) => repeat(async () => {
    const purged = await purge();
    return { executions: purged.count, ledger: 0, files: await removeFolders(deps, purged.executions), full: purged.count >= limit };
  });
  const ledger = (purge: () => Promise<number>) => repeat(async () => {
    const n = await purge();
    return { executions: 0, ledger: n, files: 0, full: n >= limit };
  });

  if (!dryRun && deps.failedFolders.size) report({ executions: 0, ledger: 0, files: await retryFolders(deps) });

  let jobs = await allJobs(storage);
  if (options.jobId !== undefined) jobs = jobs.filter((j) => j.id === options.jobId);
  const system = systemRules(options.rules);
  const rulesOf = (job: Job): RetentionRules => (options.jobRules ? rulesForJob(options.rules, job.definition.retention) : system);
  /**
   * One kind's age rule: one statement for the jobs that follow the system's rule, the others
   * excepted (they differ, or one job only was asked for), then one per job with a rule of its own.
   */
  const byAge = async (field: 'maxAgeDays' | 'ledgerMaxAgeDays', purge: (before: Date, scope: AgeScope) => Promise<void>): Promise<void> => {
    const ownJobs = options.jobId !== undefined ? jobs : jobs.filter((j) => rulesOf(j)[field] !== system[field]);
    const systemDays = system[field];
    if (options.jobId === undefined && systemDays !== undefined) await purge(daysBefore(now, systemDays), { exceptJobIds: ownJobs.map((j) => j.id) });
    for (const job of ownJobs) {
      const days = rulesOf(job)[field];
      if (days !== undefined) await purge(daysBefore(now, days), { jobId: job.id });
    }
  };

  await byAge('maxAgeDays', (finishedBefore, scope) => executions(() => storage.purgeExecutions({ finishedBefore, limit, dryRun, ...scope })));
  for (const job of jobs) {
    const keepLast = rulesOf(job).keepLast;
    if (keepLast !== undefined) await executions(() => storage.purgeExecutionsBeyond({ jobId: job.id, keepLast, limit, dryRun }));
  }
  await byAge('ledgerMaxAgeDays', (firedBefore, scope) => ledger(() => storage.purgeLedger({ firedBefore, limit, dryRun, ...scope })));
  return total;
}

/** Removes the file folders of deleted executions; counts the ones that existed. */
async function removeFolders(deps: RetentionPassDeps, deleted: Array<{ id: string; jobId: string }>): Promise<number> {
  let removed = 0;
  for (const { id, jobId } of deleted) {
    if (await removeFolder(deps, jobId, id)) removed++;
  }
  return removed;
}

async function retryFolders(deps: RetentionPassDeps): Promise<number> {
  const failed = [...deps.failedFolders.values()];
  deps.failedFolders.clear();
  let removed = 0;
  for (const { jobId, executionId } of failed) {
    if (await removeFolder(deps, jobId, executionId)) removed++;
  }
  return removed;
}

/** True when the folder existed and is gone; a failure is logged and remembered, never thrown. */
async function removeFolder(deps: RetentionPassDeps, jobId: string, executionId: string): Promise<boolean> {
  let dir: string;
  try {
    dir = executionFilesDir(deps.filesDir, jobId, executionId);
  } catch {
    return false; // ids the storage gave back are UUIDs; nothing outside the files area is ever touched
  }
  try {
    await fs.access(dir);
  } catch {
    return false;
  }
  try {
    await (deps.removeDir ?? ((d: string) => fs.rm(d, { recursive: true, force: true, maxRetries: 2 })))(dir);
    return true;
  } catch (err) {
    deps.failedFolders.set(executionId, { jobId, executionId });
    deps.logger.warn({ err, jobId, executionId, dir }, 'cannot remove the files of a purged execution; retrying at the next retention pass');
    return false;
  }
}
