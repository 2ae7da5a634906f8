/**
 * The messages a scheduler's claim sends to PostgreSQL (`fireDueSchedules`): `BEGIN` with the due
 * read, then the write with its `COMMIT` — two round trips for a claim that fires, whichever way it
 * decides (per schedule, or once for a group that shares its decision) — and the claim still
 * fires each instant once.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { testServers } from '@vecron/test-servers';
import { describe, expect, it } from 'vitest';
import { parseJobDefinition } from '../src/index.js';
import type { FireDecision } from '../src/index.js';
import { postgresStorage } from '../src/adapters/postgres/index.js';
import { recordStatements } from './helpers/recorded-statements.js';
import { storesClosedAfterAll } from './helpers/sql-storage-backends.js';

const T0 = new Date('2026-01-05T02:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const stores = storesClosedAfterAll();

/** A PostgreSQL storage on one connection whose every message (statement text) is recorded in `sent`. */
async function rig() {
  const schema = stores.schema('rt');
  const pool = new pg.Pool({ connectionString: testServers().postgres, max: 1, options: `-c search_path="${schema}",public` });
  const sent = recordStatements(pool);
  const s = stores.keep(await postgresStorage({ pool, ownPool: true, schema }));
  const jobs = [];
  for (let i = 0; i < 3; i++) {
    const definition = parseJobDefinition({ name: `rt-${i}-${randomUUID()}`, schedule: { type: 'cron', expression: '0 0 * * * ?' }, steps: [{ id: 's', type: 'echo', config: {} }] });
    jobs.push(await s.createJob({ id: randomUUID(), definition, now: T0, anchorAt: T0, nextFireAt: T0 }));
  }
  return { s, sent, jobs };
}

const decide = (): FireDecision => ({ fire: [T0], skip: [], nextFireAt: at(3_600_000) });

describe('fireDueSchedules on PostgreSQL: round trips of a claim', () => {
  for (const shared of [false, true]) {
    it(`a claim that fires is two messages, BEGIN with the due read and the write with COMMIT (${shared ? 'one decision per group' : 'one decision per schedule'}); a second claim of the instant fires nothing`, async () => {
      const { s, sent, jobs } = await rig();
      sent.length = 0;
      const created = await s.fireDueSchedules({ now: at(1_000), limit: 10, decide, newExecutionId: randomUUID, markPublished: true, ...(shared ? { sharedDecision: () => true } : {}) });
      expect(created.map((e) => e.jobId).sort()).toEqual(jobs.map((j) => j.id).sort());
      expect(sent).toHaveLength(2);
      expect(sent[0]).toMatch(/^BEGIN;\n/);
      expect(sent[1]).toMatch(/;\nCOMMIT$/);
      // Committed: the executions and the schedules' advance are there for any other connection.
      const other = stores.keep(await postgresStorage({ connectionString: testServers().postgres, schema: s.schema!, migrate: false }));
      expect(await other.getFireTimes(jobs.map((j) => j.id))).toEqual(expect.arrayContaining(jobs.map((j) => ({ jobId: j.id, nextFireAt: at(3_600_000), lastFireAt: T0 }))));
      expect((await other.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM vecron_executions')).rows[0]!.n).toBe(3);
      // The same instant again (a scheduler that lost its advance): nothing new.
      await other.sql.query('UPDATE vecron_schedules SET next_fire_at = $1', [T0.toISOString()]);
      expect(await s.fireDueSchedules({ now: at(1_000), limit: 10, decide, newExecutionId: randomUUID, markPublished: true, ...(shared ? { sharedDecision: () => true } : {}) })).toEqual([]);
      expect((await other.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM vecron_executions')).rows[0]!.n).toBe(3);
    });
  }
});
