import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodIssues } from '../errors/zod-issues.js';
import { misfirePolicySchema, scheduleSchema } from './schedule-schema.js';

/** The schedule field as it sits in a job definition, so paths read `$.schedule…`. */
const job = z.object({ schedule: scheduleSchema });
const issues = (schedule: unknown): Array<{ path: string; message: string }> => {
  const r = job.safeParse({ schedule });
  return r.success ? [] : zodIssues(r.error);
};

describe('scheduleSchema', () => {
  it('accepts every schedule type and null', () => {
    for (const s of [
      { type: 'cron', expression: '0 0 2 ? * MON-FRI', timezone: 'Asia/Ho_Chi_Minh', end_date: null },
      { type: 'cron', expression: '*/5 * * * *' },
      { type: 'cron', expression: '0 0 2 L * ?', end_date: '2027-01-01T00:00:00Z' },
      { type: 'fixed_rate', interval_seconds: 300 },
      { type: 'fixed_rate', interval_seconds: 300, start_at: '2026-12-01T00:00:00+07:00', end_date: '2026-12-31T00:00:00+07:00' },
      { type: 'fixed_delay', delay_seconds: 60 },
      { type: 'one_time', execute_at: '2026-12-01T02:00:00+07:00' },
      null,
    ]) {
      expect(issues(s), JSON.stringify(s)).toEqual([]);
    }
  });

  it('reports a bad cron expression at $.schedule.expression with the field and token', () => {
    expect(issues({ type: 'cron', expression: '0 0 2 ? FOO MON' })).toEqual([
      { path: '$.schedule.expression', message: expect.stringContaining("Invalid Month value: 'FOO'") },
    ]);
  });

  it('reports an unknown zone at $.schedule.timezone', () => {
    expect(issues({ type: 'cron', expression: '0 0 2 ? * *', timezone: 'Asia/Saigon_City' })).toEqual([
      { path: '$.schedule.timezone', message: expect.stringContaining("unknown time zone 'Asia/Saigon_City'") },
    ]);
  });

  it('rejects bad numbers, instants without offset, unknown keys and types', () => {
    expect(issues({ type: 'fixed_rate', interval_seconds: 0 })[0]?.path).toBe('$.schedule.interval_seconds');
    expect(issues({ type: 'fixed_rate', interval_seconds: 1.5 })[0]?.path).toBe('$.schedule.interval_seconds');
    expect(issues({ type: 'fixed_delay', delay_seconds: -1 })[0]?.path).toBe('$.schedule.delay_seconds');
    expect(issues({ type: 'one_time', execute_at: '2026-12-01T02:00:00' })[0]?.path).toBe('$.schedule.execute_at');
    expect(issues({ type: 'cron', expression: '0 0 2 ? * *', end_date: 'tomorrow' })[0]?.path).toBe('$.schedule.end_date');
    expect(issues({ type: 'fixed_rate', interval_seconds: 60, interval: 5 })[0]?.message).toMatch(/interval/);
    expect(issues({ type: 'weekly' })[0]?.path).toBe('$.schedule.type');
    expect(issues({ type: 'fixed_rate', interval_seconds: 60, start_at: '2026-12-02T00:00:00Z', end_date: '2026-12-01T00:00:00Z' })).toEqual([
      { path: '$.schedule.end_date', message: 'must not be before start_at' },
    ]);
  });

  it('misfirePolicySchema is fire_once | skip | fire_all', () => {
    expect(misfirePolicySchema.options).toEqual(['fire_once', 'skip', 'fire_all']);
    expect(misfirePolicySchema.safeParse('fire_twice').success).toBe(false);
  });
});
