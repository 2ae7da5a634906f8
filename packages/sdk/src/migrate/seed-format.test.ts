import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/errors.js';
import { parseJobDefinition } from '../model/job-definition.js';
import { convertSeedJob, convertSeedJobs, splitSeedNotes } from './seed-format.js';

/** A seed-format job written for these tests: every difference from vecron's format at once. */
const seed = () => ({
  name: 'Nightly export',
  description: 'Xuất dữ liệu hằng đêm',
  schedule: { type: 'cron', expression: '0 0 2 * * MON-FRI', timezone: 'Asia/Ho_Chi_Minh', end_date: null },
  triggers: { scheduled: true, manual: true, webhook: null },
  steps: [
    {
      id: 'fetch',
      name: 'Fetch',
      type: { type: 'http_request', method: 'GET', url: 'https://api.example.vn/x', headers: { Accept: 'application/json' }, body: null, auth: null },
      condition: null,
    },
    { id: 'fetch2', type: 'http_request', method: 'POST', url: 'https://api.example.vn/y', body: '{"a": null}', auth: null, timeout_seconds: 5 },
    {
      id: 'put',
      type: 'sftp',
      config: {
        operation: 'upload', host: 'sftp.example.vn', auth: { type: 'password', username: 'u', password: 'p' },
        local_path: 'out/', remote_path: '/in/', options: { streaming: true, verify_host_key: true, wildcard_pattern: null },
      },
    },
    { id: 'q', type: 'database_query', config: { database_type: 'postgresql', connection_string: '${DB}', query: 'SELECT $1', parameters: [null] } },
  ],
  timeout_seconds: 600,
  max_retries: 2,
  allow_concurrent: false,
  enabled: true,
  notes: { why: 'audit', steps: ['1. fetch', '2. put'] },
});

describe('convertSeedJob', () => {
  it('maps every seed-format difference to a valid vecron definition and reports each change with its path', () => {
    const { definition, changes } = convertSeedJob(seed());
    const def = parseJobDefinition(definition);
    expect(def.schedule).toEqual({ type: 'cron', expression: '0 0 2 * * MON-FRI', dialect: 'spring', timezone: 'Asia/Ho_Chi_Minh' });
    expect(def.triggers).toEqual({ scheduled: true, manual: true });
    expect(def.steps[0]).toMatchObject({ id: 'fetch', name: 'Fetch', type: 'http', config: { method: 'GET', url: 'https://api.example.vn/x', headers: { Accept: 'application/json' } } });
    expect(def.steps[0]!.config).not.toHaveProperty('body');
    expect(def.steps[0]!.condition).toBeUndefined();
    // Flat shape: the step's own fields stay on the step, the rest moves to config; a null inside a body string is data.
    expect(def.steps[1]).toMatchObject({ id: 'fetch2', type: 'http', timeout_seconds: 5, config: { method: 'POST', url: 'https://api.example.vn/y', body: '{"a": null}' } });
    expect(def.steps[2]!.config.options).toEqual({ verify_host_key: true });
    // A null inside parameters is a bound SQL NULL, not an absent field: kept.
    expect(def.steps[3]).toMatchObject({ type: 'database', config: { parameters: [null] } });
    expect(splitSeedNotes(def.description!)).toEqual({ description: 'Xuất dữ liệu hằng đêm', notes: seed().notes });

    expect(changes.map((c) => c.path)).toEqual([
      '$.schedule.end_date',
      '$.schedule.dialect',
      '$.triggers.webhook',
      '$.steps[0].type',
      '$.steps[0].condition',
      '$.steps[0].type',
      '$.steps[0].config.body',
      '$.steps[0].config.auth',
      '$.steps[1]',
      '$.steps[1].type',
      '$.steps[1].config.auth',
      '$.steps[2].config.options.wildcard_pattern',
      '$.steps[2].config.options.streaming',
      '$.steps[3].type',
      '$.notes',
    ]);
    expect(changes.find((c) => c.path === '$.steps[2].config.options.streaming')!.message).toContain('always streams');
    expect(changes.find((c) => c.path === '$.schedule.dialect')!.message).toContain('spring');
  });

  it('leaves a vecron definition unchanged and reports nothing', () => {
    const vecron = {
      name: 'x', schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI' }, triggers: { scheduled: true },
      steps: [{ id: 'a', type: 'http', config: { method: 'GET', url: 'https://a.vn' } }],
    };
    expect(convertSeedJob(vecron)).toEqual({ definition: vecron, changes: [] });
  });

  it('names a numeric day-of-week in the dialect change (Spring numbering: 0/7 = SUN)', () => {
    const { changes } = convertSeedJob({ ...seed(), schedule: { type: 'cron', expression: '0 0 2 * * 1-5' } });
    expect(changes.find((c) => c.path === '$.schedule.dialect')!.message).toMatch(/0 or 7 = SUN, 1 = MON.*'1-5'/);
  });

  it('refuses what it cannot map, naming every path', () => {
    const bad = {
      ...seed(),
      owner: 'ops',
      steps: [
        { id: 'a', type: { method: 'GET' } },
        { id: 'b', type: { type: 'http_request', url: 'https://x.vn' }, config: { url: 'https://y.vn' } },
        { id: 'c', type: 'http', url: 'https://x.vn', config: { url: 'https://y.vn' } },
        { id: 'd', type: 'sftp', config: { options: { streaming: 'yes' } } },
      ],
    };
    let err: unknown;
    try {
      convertSeedJob(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.path)).toEqual([
      '$.owner', '$.steps[0].type.type', '$.steps[1].type', '$.steps[2].url', '$.steps[3].config.options.streaming',
    ]);
  });

  it('refuses notes that do not fit in the description', () => {
    expect(() => convertSeedJob({ ...seed(), notes: 'x'.repeat(5000) })).toThrow(/\$\.notes: notes do not fit/);
  });

  it('refuses a non-object job', () => {
    expect(() => convertSeedJob([1])).toThrow(/\$: expected a job object, got an array/);
  });
});

describe('convertSeedJobs', () => {
  it('converts an array, naming each item in the paths, and lists every item\'s errors together', () => {
    const ok = convertSeedJobs([seed(), seed()]);
    expect(ok.definitions).toHaveLength(2);
    expect(ok.changes.some((c) => c.path === '$[1].triggers.webhook')).toBe(true);
    expect(() => convertSeedJobs([seed(), { ...seed(), x: 1 }, 7])).toThrow(/\$\[1\]\.x: unknown field[\s\S]*\$\[2\]: expected a job object/);
  });
});

describe('splitSeedNotes', () => {
  it('returns plain-text notes and descriptions that are only notes', () => {
    const { definition } = convertSeedJob({ ...seed(), description: undefined, notes: 'chạy sau khi đối soát' });
    expect(splitSeedNotes(definition.description as string)).toEqual({ description: '', notes: 'chạy sau khi đối soát' });
    expect(splitSeedNotes('no notes here')).toEqual({ description: 'no notes here' });
  });
});
