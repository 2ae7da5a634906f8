import type { ExplainEntry } from '@vecron/sdk';
import { describe, expect, it } from 'vitest';
import { createFormatter } from '../format.js';
import { translator } from '../i18n/index.js';
import type { Lang } from '../i18n/index.js';
import { urlBuilder } from './context.js';
import type { ViewContext } from './context.js';
import { calendarOf, groupByDay, localDays, upcomingDays } from './upcoming.js';
import type { UpcomingFire } from './upcoming.js';

const TZ = 'Asia/Ho_Chi_Minh';
const HOSTILE = '<script>alert(1)</script>';
const view = (lang: Lang = 'en'): ViewContext => {
  const t = translator(lang);
  return {
    base: '/dash', lang, t, f: createFormatter(lang, TZ, t), csrfToken: 'tok', readOnly: false, can: () => true, userName: null,
    showNoAuthBanner: false, currentPath: '/upcoming', defaultTimeZone: TZ, url: urlBuilder('/dash'),
  };
};

const fire = (jobName: string, nominal: string, o: Partial<ExplainEntry> = {}): UpcomingFire => ({
  jobId: `id-${jobName}`, jobName,
  entry: { nominal: new Date(nominal), runsAt: new Date(nominal), startsAt: new Date(nominal), outcome: 'fire', reason: null, ...o },
});

describe('upcoming days', () => {
  it('lists the local days from today, across a month end', () => {
    expect(localDays(new Date('2026-12-30T18:00:00Z'), 3, TZ)).toEqual(['2026-12-31', '2027-01-01', '2027-01-02']);
  });

  it('puts fires on the local day they run (shifted by runsAt, skipped by nominal), sorted by time then job; drops other days', () => {
    const fires = [
      fire('b', '2026-12-07T02:00:00Z'),
      fire('a', '2026-12-07T02:00:00Z'),
      fire('early', '2026-12-06T18:00:00Z'), // 01:00 on 7 Dec locally
      fire('moved', '2026-12-07T02:00:00Z', { runsAt: new Date('2026-12-08T02:00:00Z'), outcome: 'shifted', reason: 'calendar vn: 2026-12-07 Holiday, moved following to 2026-12-08' }),
      fire('skipped', '2026-12-08T03:00:00Z', { runsAt: null, startsAt: null, outcome: 'skipped', reason: 'weekend' }),
      fire('later', '2026-12-20T02:00:00Z'),
    ];
    const days = groupByDay(fires, ['2026-12-07', '2026-12-08'], TZ, new Map([['2026-12-07', [{ calendar: 'vn', name: 'Holiday' }]]]));
    expect(days.map((d) => [d.date, d.fires.map((f) => f.jobName), d.holidays.length])).toEqual([
      ['2026-12-07', ['early', 'a', 'b'], 1],
      ['2026-12-08', ['moved', 'skipped'], 0],
    ]);
  });

  it('draws each day with its holidays, outcomes and translated reasons; escapes names; says when a day is empty', () => {
    const days = groupByDay([
      fire(HOSTILE, '2026-12-08T02:00:00Z', { runsAt: new Date('2026-12-08T02:00:00Z'), nominal: new Date('2026-12-07T02:00:00Z'), outcome: 'shifted', reason: 'calendar vn: 2026-12-07 weekend, moved following to 2026-12-08' }),
    ], ['2026-12-07', '2026-12-08'], TZ, new Map([['2026-12-07', [{ calendar: 'vn', name: HOSTILE }]]]));
    const out = upcomingDays(view(), days).value;
    expect(out).not.toContain('<script>');
    expect(out).toContain('Holiday in calendar vn: &lt;script&gt;');
    expect(out).toContain('<h2 id="day-2026-12-07">Monday, 07/12/2026</h2>');
    expect(out).toContain('Nothing runs this day.');
    expect(out).toContain('>09:00:00</time><div class="small muted">planned 07/12/2026, 09:00:00</div>');
    expect(out).toContain('calendar vn: 2026-12-07 is weekend; moved (next business day) to 2026-12-08');
    const vi = upcomingDays(view('vi'), days).value;
    expect(vi).toContain('Thứ Hai, 07/12/2026');
    expect(vi).toContain('Ngày nghỉ theo lịch vn');
  });

  it('finds the calendar a schedule names', () => {
    expect(calendarOf({ type: 'cron', expression: '0 9 * * *', calendar: 'vn' } as never)).toBe('vn');
    expect(calendarOf({ type: 'fixed_rate', interval_seconds: 60 } as never)).toBeNull();
    expect(calendarOf(null)).toBeNull();
  });
});
