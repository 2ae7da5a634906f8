import { SECRET_MASK } from '@vecron/sdk/crypto';
import { describe, expect, it } from 'vitest';
import { cronInWords, createFormatter, formatDuration, maskDefinitionSecrets, scheduleInWords } from './format.js';
import { translator } from './i18n/index.js';
import { en } from './i18n/en.js';
import { vi } from './i18n/vi.js';

const t = translator('en');
const tv = translator('vi');
const f = createFormatter('en', 'Asia/Ho_Chi_Minh', t);

describe('schedules in words', () => {
  it('describes common Quartz and Unix cron shapes, in English and Vietnamese', () => {
    expect(cronInWords('0 0 2 ? * MON-FRI', t)).toBe('Monday–Friday, at 02:00');
    expect(cronInWords('0 0 2 ? * 2-6', t)).toBe('Monday–Friday, at 02:00');
    expect(cronInWords('30 2 * * 1-5', t)).toBe('Monday–Friday, at 02:30');
    expect(cronInWords('0 15 10 ? * 1,7', t)).toBe('on Sun, Sat, at 10:15');
    expect(cronInWords('0 0 8 15 * ?', t)).toBe('on day 15 of the month, at 08:00');
    expect(cronInWords('*/10 * * ? * *', t)).toBe('every 10 s');
    expect(cronInWords('0 */5 * * * ?', t)).toBe('every 5 min');
    expect(cronInWords('0 0 2 * * *', tv)).toBe('hằng ngày, lúc 02:00');
    // Shapes it does not know stay as the expression.
    expect(cronInWords('0 0 2 L * ?', t)).toBeNull();
    expect(cronInWords('0 0 12 ? * 6#3', t)).toBeNull();
    expect(cronInWords('0 0 2 ? JAN MON', t)).toBeNull();
  });

  it('reads day-of-week numbers in the dialect of the schedule', () => {
    // Quartz 2-6 is Monday–Friday; in Spring (0/7 = SUN) 2-6 is Tuesday–Saturday.
    expect(cronInWords('0 0 2 * * 2-6', t, 'spring')).toBe('on Tue, Wed, Thu, Fri, Sat, at 02:00');
    expect(cronInWords('0 0 2 * * MON-FRI', t, 'spring')).toBe('Monday–Friday, at 02:00');
    expect(cronInWords('0 0 2 * * 1-5', t, 'spring')).toBe('Monday–Friday, at 02:00');
    expect(cronInWords('@daily', t, 'spring')).toBe('every day, at 00:00');
    expect(scheduleInWords({ type: 'cron', expression: '0 0 2 * * MON-FRI', dialect: 'spring' } as never, 'UTC', f))
      .toEqual({ words: 'Monday–Friday, at 02:00 in UTC', code: '0 0 2 * * MON-FRI', dialect: 'spring' });
    expect(scheduleInWords({ type: 'cron', expression: '30 2 * * 1-5' } as never, 'UTC', f).dialect).toBe('unix');
  });

  it('covers every schedule type', () => {
    expect(scheduleInWords(null, 'UTC', f).words).toBe('manual / webhook only');
    expect(scheduleInWords({ type: 'fixed_rate', interval_seconds: 300 } as never, 'UTC', f).words).toBe('every 5 min');
    expect(scheduleInWords({ type: 'fixed_delay', delay_seconds: 90 } as never, 'UTC', f).words).toBe('1 min 30 s after each run finishes');
    expect(scheduleInWords({ type: 'cron', expression: '0 0 2 ? * MON-FRI' } as never, 'Asia/Ho_Chi_Minh', f)).toEqual({ words: 'Monday–Friday, at 02:00 in Asia/Ho_Chi_Minh', code: '0 0 2 ? * MON-FRI', dialect: 'quartz' });
    expect(scheduleInWords({ type: 'business_day', day: -1, time: '17:00', calendar: 'vn' } as never, 'UTC', f).words).toBe('last business day of the month at 17:00 (calendar vn)');
  });
});

describe('formatting', () => {
  it('durations', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1_234)).toBe('1.23 s');
    expect(formatDuration(245_000)).toBe('4 min 5 s');
    expect(formatDuration(7_380_000)).toBe('2 h 3 min');
  });

  it('instants in the dashboard time zone', () => {
    expect(f.dateTime(new Date('2026-03-02T19:30:00Z'))).toBe('03/03/2026, 02:30:00');
    expect(f.relative(new Date('2026-03-02T19:30:10Z'), new Date('2026-03-02T19:30:00Z'))).toBe('in 10 s');
    expect(createFormatter('vi', 'Asia/Ho_Chi_Minh', tv).relative(new Date('2026-03-02T19:25:00Z'), new Date('2026-03-02T19:30:00Z'))).toBe('5 phút trước');
  });

  it('masks literal credentials in a definition but keeps ${VAR} references', () => {
    const def = { steps: [{ config: { auth: { type: 'basic', username: 'u', password: 'hunter2' } } }, { config: { auth: { type: 'bearer', token: '${API_TOKEN}' } } }], triggers: { webhook: { secret_key: 's3cr3t' } } };
    const masked = maskDefinitionSecrets(def);
    expect(JSON.stringify(masked)).not.toMatch(/hunter2|s3cr3t/);
    expect(masked.steps[0]!.config.auth.password).toBe(SECRET_MASK);
    expect(masked.steps[1]!.config.auth.token).toBe('${API_TOKEN}');
    expect(def.steps[0]!.config.auth.password).toBe('hunter2');
  });
});

describe('dictionaries', () => {
  it('Vietnamese has every English key, each translated and with the same parameters', () => {
    expect(Object.keys(vi).sort()).toEqual(Object.keys(en).sort());
    for (const [k, text] of Object.entries(en)) {
      const params = (s: string): string[] => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(params(vi[k as keyof typeof vi]), k).toEqual(params(text));
      expect(vi[k as keyof typeof vi].length, k).toBeGreaterThan(0);
    }
  });
});
