import type { Logger } from 'pino';
import type { Coordination, CoordinationLock } from '../coordination/port.js';
import type { CronEventBus } from '../events.js';
import type { Clock } from '../internal/clock.js';
import { runLoop } from '../internal/clock.js';
import type { Storage } from '../storage/port.js';
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
  const abort = new AbortController();
  const failedFolders = new Map<string, { jobId: string; executionId: string }>();
  let leadership: CoordinationLock | null = null;
  let loop: Promise<void> | null = null;

  async function isLeader(): Promise<boolean> {
    if (!coordination) return true;
    // Held across the pause between passes, so the leader stays the leader.
    const ttl = settings.intervalMs * 3 + 60_000;
    if (leadership && (await leadership.extend(ttl))) return true;
    leadership = null;
    const attempt = await coordination.tryLock('housekeeping:retention', ttl);
    if (attempt.status === 'acquired') leadership = attempt.lock;
    return attempt.status !== 'busy';
  }

  async function tick(): Promise<RetentionCounts> {
    const started = Date.now();
    const counts = await runRetentionPass(
      { storage, filesDir, logger, failedFolders, onBatch: (c) => events.emit('retention.purged', c) },
      { rules: settings, jobRules: true, dryRun: false, batchSize: settings.batchSize, pauseMs: settings.pauseMs, now: clock.now(), signal: abort.signal },
    );
    if (counts.executions + counts.ledger + counts.files > 0) logger.info({ ...counts, ms: Date.now() - started }, 'retention pass deleted old history');
    return counts;
  }

  return {
    tick,
    start() {
      loop ??= runLoop(async () => {
        if (await isLeader()) await tick();
      }, {
        intervalMs: settings.intervalMs,
        signal: abort.signal,
        onError: (error) => {
          logger.error({ err: error }, 'retention pass failed; retrying at the next interval');
          events.emit('error', { where: 'retention', error });
        },
      });
    },
    async stop() {
      abort.abort();
      await loop;
      await leadership?.release().catch(() => undefined);
    },
  };
}
