import type { CronSystem, PurgeOptions } from '../create-cron-system.js';
import { NotFoundError } from '../errors/errors.js';
import { parseConfig } from '../errors/zod-issues.js';
import { isUuid } from '../internal/ids.js';
import { runRetentionPass } from '../scheduler/retention-pass.js';
import type { RetentionCounts } from '../scheduler/retention-pass.js';
import { purgeOptionsSchema } from '../scheduler/retention-rules.js';
import type { SystemContext } from './context.js';

/** `cron.maintenance`: the cluster-wide pause switch and an on-demand retention pass (see docs/architecture.md). */
export function createMaintenanceApi(ctx: SystemContext): CronSystem['maintenance'] {
  const { storage, clock, logger } = ctx;
  return {
    async pause(options = {}) {
      const s = await storage();
      const current = await s.getSchedulerPause();
      if (current) return current;
      const pause = { since: clock.now(), by: options.by ?? null, reason: options.reason ?? null };
      await s.setSchedulerPause(pause);
      logger.warn({ by: pause.by, reason: pause.reason }, 'schedulers paused: fires are recorded as skipped (paused) until resumed');
      return pause;
    },
    async resume() {
      const s = await storage();
      if (!(await s.getSchedulerPause())) return;
      await s.setSchedulerPause(null);
      logger.warn('schedulers resumed');
    },
    status: async () => (await storage()).getSchedulerPause(),
    purge: (input) => purge(ctx, input),
  };
}

/** `maintenance.purge`: one retention pass now, by the given rules or else the configured ones. */
async function purge(ctx: SystemContext, input: PurgeOptions = {}): Promise<RetentionCounts> {
  const { opts } = ctx;
  const options = parseConfig(purgeOptionsSchema, input, 'purge options');
  const override = options.maxAgeDays !== undefined || options.keepLast !== undefined || options.ledgerMaxAgeDays !== undefined;
  const rules = override ? { maxAgeDays: options.maxAgeDays, keepLast: options.keepLast, ledgerMaxAgeDays: options.ledgerMaxAgeDays } : (opts.retention ?? {});
  if (options.jobId !== undefined && !isUuid(options.jobId)) throw new NotFoundError('job', options.jobId);
  const dryRun = options.dryRun;
  return runRetentionPass(
    { storage: await ctx.storage(), filesDir: ctx.filesDir, logger: ctx.logger, failedFolders: new Map(), onBatch: (c) => ctx.events.emit('retention.purged', c) },
    { rules, jobRules: !override, jobId: options.jobId, dryRun, batchSize: opts.retention?.batchSize ?? 500, pauseMs: opts.retention?.pauseMs ?? 50, now: ctx.clock.now() },
  );
}
