import type { Logger } from 'pino';
import type { Coordination } from '../coordination/port.js';
import type { CronEventBus } from '../events.js';
import type { Clock } from '../internal/clock.js';
import type { Storage } from '../storage/port.js';
import { createBackgroundLoop, createLeadership } from './background-loop.js';
import { runRetentionPass } from './retention-pass.js';
import type { RetentionCounts } from './retention-pass.js';
import type { RetentionSettings } from './retention-rules.js';

/** The retention loop of the scheduler role (docs/operations.md#retention). */
export interface RetentionLoop {
  /** One pass with the configured rules; resolves with what it deleted. */
  tick(): Promise<RetentionCounts>;
  start(): void;
  /** Stops after the statement in flight (a pass checks between batches); resolves when it has. */
  stop(): Promise<void>;
}

/**
 * Creates the retention loop. With a coordination adapter one scheduler at a time runs it (lock
 * `housekeeping:retention`); when the lock is unavailable every scheduler runs it, which is safe:
 * each batch skips the rows another holds, so two purges never delete, or wait for, the same row.
 */
export function createRetentionLoop(deps: {
  storage: Storage; events: CronEventBus; clock: Clock; logger: Logger; filesDir: string; settings: RetentionSettings; coordination?: Coordination;
}): RetentionLoop {
  const { storage, events, clock, logger, filesDir, settings, coordination } = deps;
  const failedFolders = new Map<string, { jobId: string; executionId: string }>();
  // Held across the pause between passes, so the leader stays the leader.
  const leadership = createLeadership(coordination, 'housekeeping:retention', settings.intervalMs * 3 + 60_000);
  const loop = createBackgroundLoop({ intervalMs: settings.intervalMs, logger, events, where: 'retention', failure: 'retention pass failed; retrying at the next interval' });

  async function tick(): Promise<RetentionCounts> {
    const started = Date.now();
    const counts = await runRetentionPass(
      { storage, filesDir, logger, failedFolders, onBatch: (c) => events.emit('retention.purged', c) },
      { rules: settings, jobRules: true, dryRun: false, batchSize: settings.batchSize, pauseMs: settings.pauseMs, now: clock.now(), signal: loop.signal },
    );
    if (counts.executions + counts.ledger + counts.files > 0) logger.info({ ...counts, ms: Date.now() - started }, 'retention pass deleted old history');
    return counts;
  }

  return {
    tick,
    start() {
      loop.start(async () => {
        if (await leadership.isLeader()) await tick();
      });
    },
    async stop() {
      await loop.stop();
      await leadership.release();
    },
  };
}
