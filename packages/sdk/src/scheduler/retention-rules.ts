import { z } from 'zod';
import type { JobRetention } from '../model/job-definition.js';

/** What retention keeps (docs/operations.md#retention). Unset: that kind is kept forever. */
export interface RetentionRules {
  /** Finished executions older than this many days are deleted (with step attempts, logs and files). */
  maxAgeDays?: number | undefined;
  /** Only the newest this many finished executions of each job are kept. */
  keepLast?: number | undefined;
  /** Fire-ledger rows (skipped and missed instants) older than this many days are deleted; a fired instant is listed from its execution and goes with it. @default maxAgeDays */
  ledgerMaxAgeDays?: number | undefined;
}

/** The `retention` option of `createCronSystem` (zod, one schema for the SDK and the server). */
export const retentionOptionsSchema = z
  .object({
    /** Whether the scheduler role runs the loop; false keeps the rules for `cron.maintenance.purge` only. */
    enabled: z.boolean().default(true),
    maxAgeDays: z.number().positive().max(36_500).optional(),
    keepLast: z.number().int().min(1).max(10_000_000).optional(),
    ledgerMaxAgeDays: z.number().positive().max(36_500).optional(),
    /** Pause between two retention passes. */
    intervalMs: z.number().int().min(10).max(86_400_000).default(60_000),
    /** Rows one statement deletes at most. */
    batchSize: z.number().int().min(1).max(10_000).default(500),
    /** Pause between two batches of a pass, so claims and fires always get the database between them. */
    pauseMs: z.number().int().min(0).max(60_000).default(50),
  })
  .strict();

/** An explicit purge's options (`cron.maintenance.purge`), checked at the boundary. */
export const purgeOptionsSchema = z
  .object({
    dryRun: z.boolean().default(false),
    jobId: z.string().min(1).optional(),
    maxAgeDays: z.number().positive().max(36_500).optional(),
    keepLast: z.number().int().min(0).max(10_000_000).optional(),
    ledgerMaxAgeDays: z.number().positive().max(36_500).optional(),
  })
  .strict();

/** Retention settings with defaults applied. */
export type RetentionSettings = z.output<typeof retentionOptionsSchema>;

/**
 * The rules in force for one job: each field the job sets wins over the system's; the ledger
 * follows the executions' age when neither says otherwise.
 */
export function rulesForJob(system: RetentionRules, job: JobRetention | undefined): RetentionRules {
  const maxAgeDays = job?.max_age_days ?? system.maxAgeDays;
  return {
    maxAgeDays,
    keepLast: job?.keep_last ?? system.keepLast,
    ledgerMaxAgeDays: job?.ledger_max_age_days ?? system.ledgerMaxAgeDays ?? (job?.max_age_days ?? system.maxAgeDays),
  };
}

/** The system's own rules with the ledger default applied (what a job without a policy gets). */
export function systemRules(system: RetentionRules): RetentionRules {
  return rulesForJob(system, undefined);
}

/** `now` minus `days`. */
export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}
