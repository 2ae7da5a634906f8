import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors/errors.js';
import { jobDefinitionJsonSchema, parseJobDefinition } from './job-definition.js';

const valid = {
  name: 'daily-settlement',
  description: 'Đối soát cuối ngày',
  enabled: true,
  tags: ['bank'],
  schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI', timezone: 'Asia/Ho_Chi_Minh', end_date: null },
  triggers: { scheduled: true, manual: true, webhook: { enabled: true, secret_key: 'a-long-enough-secret', rate_limit: { max_requests: 10, window_seconds: 60 } } },
  steps: [
    { id: 'fetch', name: 'Fetch orders', type: 'http', config: { method: 'GET', url: '${API_URL}/orders' }, timeout_seconds: 30, retry_count: 3, on_failure: 'stop', condition: null },
  ],
  timeout_seconds: 3600,
  max_retries: 10,
  allow_concurrent: false,
  misfire_policy: 'fire_once',
  variables: { REGION: 'HN' },
};

const clone = (): Record<string, unknown> => structuredClone(valid) as Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test fixtures are edited freely
const mutate = (fn: (d: Record<string, any>) => void): Record<string, unknown> => {
  const d = clone();
  fn(d);
  return d;
};

/** Hand-written malformed definitions, each with a JSON path its error must name. */
const MALFORMED: Array<[string, unknown, string]> = [
  ['not an object', 'hello', '$'],
  ['null', null, '$'],
  ['array', [], '$'],
  ['number', 42, '$'],
  ['missing name', mutate((d) => delete d.name), '$.name'],
  ['empty name', mutate((d) => (d.name = '')), '$.name'],
  ['name with outer spaces', mutate((d) => (d.name = ' x ')), '$.name'],
  ['name not a string', mutate((d) => (d.name = 5)), '$.name'],
  ['missing steps', mutate((d) => delete d.steps), '$.steps'],
  ['empty steps', mutate((d) => (d.steps = [])), '$.steps'],
  ['steps not an array', mutate((d) => (d.steps = {})), '$.steps'],
  ['step without id', mutate((d) => delete d.steps[0].id), '$.steps[0].id'],
  ['step id with spaces', mutate((d) => (d.steps[0].id = 'a b')), '$.steps[0].id'],
  ['step id starting with dash', mutate((d) => (d.steps[0].id = '-a')), '$.steps[0].id'],
  ['step without type', mutate((d) => delete d.steps[0].type), '$.steps[0].type'],
  ['step type empty', mutate((d) => (d.steps[0].type = '')), '$.steps[0].type'],
  ['step config a string', mutate((d) => (d.steps[0].config = 'x')), '$.steps[0].config'],
  ['step timeout negative', mutate((d) => (d.steps[0].timeout_seconds = -1)), '$.steps[0].timeout_seconds'],
  ['step retry_count fractional', mutate((d) => (d.steps[0].retry_count = 1.5)), '$.steps[0].retry_count'],
  ['step retry_count huge', mutate((d) => (d.steps[0].retry_count = 1000)), '$.steps[0].retry_count'],
  ['step on_failure unknown', mutate((d) => (d.steps[0].on_failure = 'retry')), '$.steps[0].on_failure'],
  ['step unknown field', mutate((d) => (d.steps[0].retries = 3)), '$.steps[0]'],
  ['duplicate step ids', mutate((d) => d.steps.push({ ...d.steps[0] })), '$.steps[1].id'],
  ['unknown top-level field', mutate((d) => (d.owner = 'me')), '$'],
  ['enabled a string', mutate((d) => (d.enabled = 'yes')), '$.enabled'],
  ['tags not strings', mutate((d) => (d.tags = [1])), '$.tags[0]'],
  ['schedule unknown type', mutate((d) => (d.schedule = { type: 'weekly' })), '$.schedule.type'],
  ['cron without expression', mutate((d) => delete d.schedule.expression), '$.schedule.expression'],
  ['cron with a bad expression', mutate((d) => (d.schedule.expression = '0 0 25 * * ?')), '$.schedule.expression'],
  ['cron with both day fields', mutate((d) => (d.schedule.expression = '0 0 2 * * MON-FRI')), '$.schedule.expression'],
  ['cron with a bad month name', mutate((d) => (d.schedule.expression = '0 0 2 ? FOO MON')), '$.schedule.expression'],
  ['cron with too many fields', mutate((d) => (d.schedule.expression = '0 0 2 ? * MON 2026 x')), '$.schedule.expression'],
  ['unknown time zone', mutate((d) => (d.schedule.timezone = 'Asia/Saigon_City')), '$.schedule.timezone'],
  ['end_date not a date', mutate((d) => (d.schedule.end_date = 'tomorrow')), '$.schedule.end_date'],
  ['fixed_rate zero', mutate((d) => (d.schedule = { type: 'fixed_rate', interval_seconds: 0 })), '$.schedule.interval_seconds'],
  ['fixed_rate string', mutate((d) => (d.schedule = { type: 'fixed_rate', interval_seconds: '60' })), '$.schedule.interval_seconds'],
  ['fixed_delay negative', mutate((d) => (d.schedule = { type: 'fixed_delay', delay_seconds: -5 })), '$.schedule.delay_seconds'],
  ['one_time without offset', mutate((d) => (d.schedule = { type: 'one_time', execute_at: '2026-12-01T02:00:00' })), '$.schedule.execute_at'],
  ['one_time missing execute_at', mutate((d) => (d.schedule = { type: 'one_time' })), '$.schedule.execute_at'],
  ['triggers.manual a string', mutate((d) => (d.triggers.manual = 'true')), '$.triggers.manual'],
  ['webhook secret too short', mutate((d) => (d.triggers.webhook.secret_key = 'short')), '$.triggers.webhook.secret_key'],
  ['webhook rate limit zero', mutate((d) => (d.triggers.webhook.rate_limit.max_requests = 0)), '$.triggers.webhook.rate_limit.max_requests'],
  ['timeout_seconds zero', mutate((d) => (d.timeout_seconds = 0)), '$.timeout_seconds'],
  ['max_retries negative', mutate((d) => (d.max_retries = -1)), '$.max_retries'],
  ['allow_concurrent a number', mutate((d) => (d.allow_concurrent = 0)), '$.allow_concurrent'],
  ['misfire policy unknown', mutate((d) => (d.misfire_policy = 'later')), '$.misfire_policy'],
  ['variable name invalid', mutate((d) => (d.variables = { 'BAD-NAME': 'x' })), '$.variables["BAD-NAME"]'],
  ['variable value a number', mutate((d) => (d.variables = { REGION: 1 })), '$.variables.REGION'],
  ['condition a boolean', mutate((d) => (d.steps[0].condition = true)), '$.steps[0].condition'],
  ['retention max_age_days zero', mutate((d) => (d.retention = { max_age_days: 0 })), '$.retention.max_age_days'],
  ['retention keep_last fractional', mutate((d) => (d.retention = { keep_last: 2.5 })), '$.retention.keep_last'],
  ['retention unknown field', mutate((d) => (d.retention = { days: 30 })), '$.retention'],
  ['several problems at once', mutate((d) => { d.name = ''; d.max_retries = 'x'; d.steps[0].type = ''; }), '$.steps[0].type'],
];

describe('job definition validation', () => {
  it('accepts the full reference example (with Quartz day-of-month "?") and applies defaults', () => {
    const d = parseJobDefinition(valid);
    expect(d.steps[0]?.on_failure).toBe('stop');
    const minimal = parseJobDefinition({ name: 'm', steps: [{ id: 'a', type: 'echo' }] });
    expect(minimal).toMatchObject({ enabled: true, schedule: null, max_retries: 3, allow_concurrent: true, misfire_policy: 'fire_once', variables: {}, tags: [] });
    expect(minimal.triggers).toEqual({ scheduled: true, manual: true });
    expect(minimal.retention).toBeUndefined();
    expect(parseJobDefinition({ ...minimal, retention: { max_age_days: 7, keep_last: 100 } }).retention).toEqual({ max_age_days: 7, keep_last: 100 });
  });

  it(`rejects ${MALFORMED.length} hand-written malformed definitions with a ValidationError naming the JSON path`, () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(50);
    for (const [what, input, path] of MALFORMED) {
      let caught: unknown;
      try {
        parseJobDefinition(input);
      } catch (err) {
        caught = err;
      }
      expect(caught, what).toBeInstanceOf(ValidationError);
      const issues = (caught as ValidationError).issues;
      expect(issues.length, what).toBeGreaterThan(0);
      expect(issues.map((i) => i.path), what).toContain(path);
      expect((caught as ValidationError).message, what).toContain(path);
    }
  });

  it('lists every problem, not just the first', () => {
    try {
      parseJobDefinition(MALFORMED.find(([w]) => w === 'several problems at once')![1]);
      expect.unreachable();
    } catch (err) {
      expect([...new Set((err as ValidationError).issues.map((i) => i.path))].sort()).toEqual(['$.max_retries', '$.name', '$.steps[0].type']);
    }
  });

  it('publishes a JSON Schema generated from the same zod schema', () => {
    const schema = jobDefinitionJsonSchema();
    expect(schema.type).toBe('object');
    const props = schema.properties as Record<string, unknown>;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['name', 'schedule', 'steps', 'misfire_policy', 'allow_concurrent', 'retention']));
    expect(Object.keys((props.retention as { properties: object }).properties)).toEqual(['max_age_days', 'keep_last', 'ledger_max_age_days']);
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'steps']));
    expect(JSON.stringify(schema)).toContain('fixed_delay');
  });
});
