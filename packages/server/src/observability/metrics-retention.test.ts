import type { CronEventName, CronEvents, CronSystem } from '@vecron/sdk';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

/** A cron system that only records listeners, so a test can emit events. */
function eventsOnly(): { cron: CronSystem; emit: <E extends CronEventName>(e: E, p: CronEvents[E]) => void } {
  const listeners = new Map<string, Array<(p: unknown) => void>>();
  const cron = {
    on(event: string, l: (p: unknown) => void) {
      listeners.set(event, [...(listeners.get(event) ?? []), l]);
      return () => undefined;
    },
  } as unknown as CronSystem;
  return { cron, emit: (e, p) => listeners.get(e)?.forEach((l) => l(p)) };
}

describe('retention metrics', () => {
  it('vecron_retention_deleted_total{kind} counts what retention batches deleted, from 0', async () => {
    const { cron, emit } = eventsOnly();
    const metrics = createMetrics(cron, undefined, { defaultMetrics: false });
    const value = async (kind: string): Promise<number> => Number(new RegExp(`^vecron_retention_deleted_total\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(await metrics.registry.metrics())?.[1]);
    expect(await value('executions')).toBe(0);
    emit('retention.purged', { executions: 500, ledger: 0, files: 3 });
    emit('retention.purged', { executions: 20, ledger: 7, files: 0 });
    expect([await value('executions'), await value('ledger'), await value('files')]).toEqual([520, 7, 3]);
    metrics.close();
  });
});
