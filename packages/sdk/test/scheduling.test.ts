import { afterEach, describe, expect, it } from 'vitest';
import { createCronSystem, embeddedStorage } from '@vecron/sdk';
import { instantsForLocal } from '@vecron/sdk/schedule';
import type { CronSystem, OverlapPolicy, Storage } from '@vecron/sdk';
import { until } from '@vecron/sdk/testing';
import { fakeClock } from './helpers/fake-clock.js';
import { partitionable } from './helpers/partitionable-storage.js';
import { blockingExecutor, echoExecutor } from './helpers/test-executors.js';
import { internalsOf } from '../src/internal/cron-internals.js';

let shared: Storage | null = null;
const systems: CronSystem[] = [];
afterEach(async () => {
  for (const s of systems.splice(0)) await s.stop({ graceMs: 0 });
});
/** One PGlite per file (cold start ~3 s): every test gets its own jobs, so they can share it. */
async function storage(): Promise<Storage> {
  shared ??= await embeddedStorage();
  return partitionable(shared).storage;
}

const HCM = 'Asia/Ho_Chi_Minh';
const localInstant = (date: string, time = '02:00:00'): Date => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm, ss] = time.split(':').map(Number) as [number, number, number];
  return new Date(instantsForLocal({ year: y, month: m, day: d, hour: hh, minute: mm, second: ss }, HCM)[0]!);
};
const localDate = (d: Date): string => new Intl.DateTimeFormat('en-CA', { timeZone: HCM }).format(d);
function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
const isWeekend = (d: string): boolean => [0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());

/** Vietnamese public holidays of 2026 that fall on a weekday (Labour Code 2019, Tết per the 2026 break). */
const VN_HOLIDAY_WEEKDAYS_2026 = [
  '2026-01-01', // Tết Dương lịch
  '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', // Tết Nguyên Đán
  '2026-04-27', // nghỉ bù Giỗ Tổ Hùng Vương (Sunday 26/4)
  '2026-04-30', '2026-05-01', // Giải phóng miền Nam, Quốc tế Lao động
  '2026-09-02', '2026-09-03', // Quốc khánh + adjacent day
];

describe('business calendars in the scheduler', () => {
  it('"02:00 on every business day, modified_following" over a simulated 2026 fires on exactly the business days; every other day is in the ledger as skipped (calendar)', async () => {
    const clock = fakeClock(new Date('2025-12-31T12:00:00Z'));
    const cron = createCronSystem({ storage: await storage(), clock, executors: [echoExecutor()], pollIntervalMs: 60_000 });
    systems.push(cron);
    await cron.start({ scheduler: true, worker: false });
    const job = await cron.jobs.create({
      name: 'eod-business-days',
      schedule: { type: 'cron', expression: '0 0 2 * * ?', timezone: HCM, calendar: 'vn', calendar_shift: 'modified_following' },
      steps: [{ id: 's', type: 'echo', config: { value: 1 } }],
    });
    for (const day of days('2026-01-01', '2026-12-31')) {
      clock.set(new Date(localInstant(day).getTime() + 1_000));
      await internalsOf(cron).scheduler()!.tick();
    }
    const expected = days('2026-01-01', '2026-12-31').filter((d) => !isWeekend(d) && !VN_HOLIDAY_WEEKDAYS_2026.includes(d));
    expect(expected).toHaveLength(250);
    const executions = await cron.executions.list({ jobId: job.id, limit: 1_000 });
    const fired = executions.map((e) => e.scheduledFor!).sort((a, b) => a.getTime() - b.getTime());
    expect(fired.map(localDate)).toEqual(expected);
    expect(fired.every((d) => d.getTime() === localInstant(localDate(d)).getTime())).toBe(true);

    const ledger = await cron.ledger(job.id, { from: new Date('2025-12-31T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') });
    const skipped = ledger.filter((l) => l.outcome === 'skipped');
    expect(skipped.map((l) => localDate(l.fireAt))).toEqual(days('2026-01-01', '2026-12-31').filter((d) => !expected.includes(d)));
    expect(skipped.every((l) => l.reason?.startsWith('calendar vn: '))).toBe(true);
    expect(skipped.find((l) => localDate(l.fireAt) === '2026-02-17')?.reason).toContain('Tết Nguyên Đán');
    // 31 January 2026 is a Saturday: modified_following would cross into February, so it moves back to Friday 30th.
    expect(skipped.find((l) => localDate(l.fireAt) === '2026-01-31')?.reason).toContain('moved modified_following to 2026-01-30');
    expect(ledger.filter((l) => l.outcome === 'missed')).toEqual([]);
  });

  it('a business_day schedule fires on the last business day of each month; a monthly cron shifts with modified_following', async () => {
    const clock = fakeClock(new Date('2025-12-31T12:00:00Z'));
    const cron = createCronSystem({ storage: await storage(), clock, executors: [echoExecutor()] });
    systems.push(cron);
    await cron.start({ scheduler: false, worker: false });
    const close = await cron.jobs.create({ name: 'month-end-close', schedule: { type: 'business_day', calendar: 'vn', day: -1, time: '17:30' }, steps: [{ id: 's', type: 'echo', config: {} }] });
    expect((await cron.jobs.preview(close.id, 3)).map((d) => `${localDate(d)} ${d.toISOString().slice(11, 16)}Z`)).toEqual(['2026-01-30 10:30Z', '2026-02-27 10:30Z', '2026-03-31 10:30Z']);
    const payroll = await cron.jobs.create({
      name: 'payroll-25th',
      schedule: { type: 'cron', expression: '0 0 9 25 * ?', timezone: HCM, calendar: 'vn', calendar_shift: 'modified_following' },
      steps: [{ id: 's', type: 'echo', config: {} }],
    });
    // 25 Jan 2026 is a Sunday → Monday 26th; 25 Apr is a Saturday → Monday 27 Apr is nghỉ bù → Tuesday 28th.
    expect((await cron.jobs.preview(payroll.id, 4)).map(localDate)).toEqual(['2026-01-26', '2026-02-25', '2026-03-25', '2026-04-28']);
  });

  it('explain is stable and human-readable', async () => {
    const clock = fakeClock(new Date('2026-02-12T00:00:00Z'));
    const cron = createCronSystem({ storage: await storage(), clock, executors: [echoExecutor()] });
    systems.push(cron);
    const weekly = await cron.jobs.create({
      name: 'friday-report',
      schedule: { type: 'cron', expression: '0 0 2 ? * FRI', timezone: HCM, calendar: 'vn', calendar_shift: 'following' },
      allow_concurrent: false,
      jitter_seconds: 30,
      steps: [{ id: 's', type: 'echo', config: {} }],
    });
    const first = await cron.explain(weekly.id, { n: 3 });
    expect(await cron.explain(weekly.id, { n: 3 })).toEqual(first);
    expect(first.text).toBe([
      'job friday-report (enabled)',
      'schedule: cron "0 0 2 ? * FRI" (quartz) in Asia/Ho_Chi_Minh, business days of calendar vn (following)',
      'overlap forbid; catch-up misfire_policy fire_once; jitter < 30 s',
      'Fri 2026-02-13 02:00:00 +07:00  runs',
      'Fri 2026-02-20 02:00:00 +07:00  moved → runs Mon 2026-02-23 02:00:00 +07:00  (calendar vn: 2026-02-20 Tết Nguyên Đán, moved following to 2026-02-23)',
      'Fri 2026-02-27 02:00:00 +07:00  runs',
    ].join('\n'));
    expect(first.entries.map((e) => e.outcome)).toEqual(['fire', 'shifted', 'fire']);
    for (const e of first.entries) {
      const delay = e.startsAt!.getTime() - e.runsAt!.getTime();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(30_000);
    }

    const daily = await cron.jobs.create({
      name: 'daily-tet',
      schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI', timezone: HCM, calendar: 'vn', calendar_shift: 'following' },
      steps: [{ id: 's', type: 'echo', config: {} }],
    });
    expect((await cron.explain(daily.id, { n: 2 })).text.split('\n').slice(3)).toEqual([
      'Fri 2026-02-13 02:00:00 +07:00  runs',
      'Mon 2026-02-16 02:00:00 +07:00  skipped  (calendar vn: 2026-02-16 Tết Nguyên Đán, moved following to 2026-02-23, where it already runs)',
      'Tue 2026-02-17 02:00:00 +07:00  skipped  (calendar vn: 2026-02-17 Tết Nguyên Đán, moved following to 2026-02-23, where it already runs)',
      'Wed 2026-02-18 02:00:00 +07:00  skipped  (calendar vn: 2026-02-18 Tết Nguyên Đán, moved following to 2026-02-23, where it already runs)',
      'Thu 2026-02-19 02:00:00 +07:00  skipped  (calendar vn: 2026-02-19 Tết Nguyên Đán, moved following to 2026-02-23, where it already runs)',
      'Fri 2026-02-20 02:00:00 +07:00  skipped  (calendar vn: 2026-02-20 Tết Nguyên Đán, moved following to 2026-02-23, where it already runs)',
      'Mon 2026-02-23 02:00:00 +07:00  runs',
    ]);
  });

  it('stores calendars with the jobs and rejects a job naming an unknown one', async () => {
    const cron = createCronSystem({ storage: await storage(), executors: [echoExecutor()] });
    systems.push(cron);
    await cron.calendars.define({ name: 'bank-hn', extends: 'vn', excluded_dates: [{ date: '2026-06-30', label: 'Khóa sổ bán niên' }] });
    expect((await cron.calendars.get('bank-hn')).holidayReason('2026-06-30')).toBe('Khóa sổ bán niên');
    expect(await cron.calendars.list()).toEqual(expect.arrayContaining(['vn', 'bank-hn']));
    await expect(cron.jobs.create({ name: 'x', schedule: { type: 'cron', expression: '0 0 2 * * ?', calendar: 'nope' }, steps: [{ id: 's', type: 'echo' }] }))
      .rejects.toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: '$.schedule.calendar' })] });
  });
});

describe('backfill', () => {
  it('a month in dry-run lists the runs; for real it creates exactly those, and running it again adds nothing', async () => {
    const clock = fakeClock(new Date('2026-03-10T00:00:00Z'));
    const cron = createCronSystem({ storage: await storage(), clock, executors: [echoExecutor()] });
    systems.push(cron);
    await cron.start({ scheduler: false, worker: false });
    const job = await cron.jobs.create({
      name: 'backfill-jan',
      schedule: { type: 'cron', expression: '0 0 2 * * ?', timezone: HCM, calendar: 'vn' },
      steps: [{ id: 's', type: 'echo', config: {} }],
    });
    const range = { from: new Date('2025-12-31T17:00:00Z'), to: new Date('2026-01-31T16:59:59Z') }; // January in Hà Nội
    const plan = await cron.backfill(job.id, { ...range, dryRun: true });
    const januaryBusinessDays = days('2026-01-01', '2026-01-31').filter((d) => !isWeekend(d) && d !== '2026-01-01');
    expect(plan.runs.map((r) => localDate(r.scheduledFor))).toEqual(januaryBusinessDays);
    expect(plan.skipped).toHaveLength(31 - januaryBusinessDays.length);
    expect(await cron.executions.list({ jobId: job.id })).toEqual([]);

    const real = await cron.backfill(job.id, range);
    expect(real.runs.filter((r) => r.created)).toHaveLength(januaryBusinessDays.length);
    const executions = await cron.executions.list({ jobId: job.id, limit: 100 });
    expect(executions.map((e) => localDate(e.scheduledFor!)).sort()).toEqual(januaryBusinessDays);
    expect(executions.every((e) => e.triggerSource === 'backfill')).toBe(true);

    const twice = await cron.backfill(job.id, range);
    expect(twice.runs.filter((r) => r.created)).toEqual([]);
    expect(await cron.executions.list({ jobId: job.id, limit: 100 })).toHaveLength(januaryBusinessDays.length);
  });
});

describe('catch-up after a 3-hour downtime (cron every 30 min)', () => {
  const start = new Date('2026-03-02T00:00:00Z');
  async function afterDowntime(name: string, extra: Record<string, unknown>) {
    const clock = fakeClock(start);
    const cron = createCronSystem({ storage: await storage(), clock, executors: [echoExecutor()] });
    systems.push(cron);
    await cron.start({ scheduler: true, worker: false });
    const job = await cron.jobs.create({ name, schedule: { type: 'cron', expression: '0 0/30 * * * ?', timezone: 'UTC' }, steps: [{ id: 's', type: 'echo', config: {} }], ...extra });
    clock.set(new Date('2026-03-02T03:10:00Z')); // down from 00:00 to 03:10: fires 00:30 … 03:00 were due
    await internalsOf(cron).scheduler()!.tick();
    const fired = (await cron.executions.list({ jobId: job.id, limit: 100 })).map((e) => e.scheduledFor!.toISOString().slice(11, 16)).sort();
    const ledger = await cron.ledger(job.id);
    return { fired, missed: ledger.filter((l) => l.outcome === 'missed').map((l) => [l.fireAt.toISOString().slice(11, 16), l.reason]) };
  }
  const DUE = ['00:30', '01:00', '01:30', '02:00', '02:30', '03:00'];

  it('all: every missed fire runs, bounded by max_catchup', async () => {
    const r = await afterDowntime('catchup-all', { catchup: { policy: 'all', max_catchup: 4 } });
    expect(r.fired).toEqual(DUE.slice(2));
    expect(r.missed).toEqual(DUE.slice(0, 2).map((t) => [t, 'catchup all']));
  });
  it('last: only the latest runs', async () => {
    const r = await afterDowntime('catchup-last', { catchup: { policy: 'last' } });
    expect(r.fired).toEqual(['03:00']);
    expect(r.missed.map((m) => m[0])).toEqual(DUE.slice(0, 5));
  });
  it('none: nothing runs, everything is recorded as missed', async () => {
    const r = await afterDowntime('catchup-none', { catchup: { policy: 'none' } });
    expect(r.fired).toEqual([]);
    expect(r.missed.map((m) => m[0])).toEqual(DUE);
  });
  it('a catch-up window: fires older than the window are missed as downtime', async () => {
    const r = await afterDowntime('catchup-window', { catchup: { policy: 'all', window_seconds: 3_600 } });
    expect(r.fired).toEqual(['02:30', '03:00']);
    expect(r.missed).toEqual(DUE.slice(0, 4).map((t) => [t, 'downtime beyond catchup window (3600 s)']));
  });
  it('a disabled job records its fires as skipped (disabled)', async () => {
    const r = await afterDowntime('disabled', { enabled: false });
    expect(r.fired).toEqual([]);
    const job = (await (await storage()).getJobByName('disabled'))!;
    expect((await (await storage()).listLedger(job.id)).map((l) => [l.outcome, l.reason])).toEqual(DUE.map(() => ['skipped', 'disabled']));
  });
});

describe('overlap policies (fixed_rate 60 s, a run blocks until released)', () => {
  async function scenario(name: string, policy: OverlapPolicy) {
    const clock = fakeClock(new Date('2026-03-03T00:00:00Z'));
    const { executor: block, state } = blockingExecutor();
    // Its own store: a scheduler fires every due schedule of its store, other tests' included.
    const cron = createCronSystem({ clock, executors: [block], dispatchIntervalMs: 20, leaseMs: 600_000, pollIntervalMs: 60_000 });
    systems.push(cron);
    await cron.start({ scheduler: true, worker: { concurrency: 4 } });
    const job = await cron.jobs.create({ name, overlap_policy: policy, schedule: { type: 'fixed_rate', interval_seconds: 60 }, steps: [{ id: 'b', type: 'block', config: {} }] });
    const tick = () => internalsOf(cron).scheduler()!.tick();
    await tick();
    await until(() => state.running === 1, { timeoutMs: 10_000, what: 'first run started' });
    for (let i = 0; i < 2; i++) {
      clock.advance(60_000);
      await tick();
      await new Promise((r) => setTimeout(r, 150));
    }
    // The running run learns of its cancel at its next heartbeat (≤ 2 s): wait for it before releasing.
    if (policy === 'cancel_other') await until(() => state.aborted >= 1, { timeoutMs: 10_000, what: 'running run saw its cancel' });
    const idle = async () => (await cron.executions.list({ jobId: job.id, status: ['pending', 'running', 'cancelling'] })).length === 0;
    const deadline = Date.now() + 15_000;
    while (!(await idle()) && Date.now() < deadline) {
      state.release();
      await new Promise((r) => setTimeout(r, 50));
    }
    const executions = (await cron.executions.list({ jobId: job.id, limit: 100 })).sort((a, b) => a.scheduledFor!.getTime() - b.scheduledFor!.getTime());
    const ledger = await cron.ledger(job.id);
    return { executions, ledger, peak: state.peak, order: state.order };
  }

  it('allow: fires run side by side', async () => {
    const r = await scenario('overlap-allow', 'allow');
    expect(r.executions.map((e) => e.status)).toEqual(['success', 'success', 'success']);
    expect(r.peak).toBe(3);
  });
  it('forbid: fires while one runs are skipped and recorded', async () => {
    const r = await scenario('overlap-forbid', 'forbid');
    expect(r.executions.map((e) => e.status)).toEqual(['success']);
    expect(r.ledger.filter((l) => l.outcome === 'skipped').map((l) => l.reason)).toEqual(['overlap', 'overlap']);
  });
  it('queue_one: one waits, the next is skipped; never two at once', async () => {
    const r = await scenario('overlap-queue-one', 'queue_one');
    expect(r.executions.map((e) => e.status)).toEqual(['success', 'success']);
    expect(r.ledger.filter((l) => l.outcome === 'skipped').map((l) => l.reason)).toEqual(['overlap']);
    expect(r.peak).toBe(1);
  });
  it('queue_all: every fire runs, one at a time, in order', async () => {
    const r = await scenario('overlap-queue-all', 'queue_all');
    expect(r.executions.map((e) => e.status)).toEqual(['success', 'success', 'success']);
    expect(r.peak).toBe(1);
    expect(r.order.filter((o) => o.startsWith('start')).map((o) => o.slice(6))).toEqual(r.executions.map((e) => e.id));
  });
  it('cancel_other: a new fire cancels the running one', async () => {
    const r = await scenario('overlap-cancel-other', 'cancel_other');
    expect(r.executions.map((e) => e.status)).toEqual(['cancelled', 'cancelled', 'success']);
    expect(r.executions[0]!.error?.message).toContain('cancel');
    expect(r.peak).toBe(1);
  });
});

describe('overlap policies × catch-up after a 3-hour downtime (cron every 30 min, catch-up all)', () => {
  async function downtime(name: string, policy: OverlapPolicy) {
    const clock = fakeClock(new Date('2026-03-04T00:00:00Z'));
    const { executor: block, state } = blockingExecutor();
    // Its own store: the shared one holds other tests' schedules, which this scheduler would fire too.
    const cron = createCronSystem({ clock, executors: [block], dispatchIntervalMs: 20, leaseMs: 3_600_000, heartbeatMs: 50, pollIntervalMs: 60_000 });
    systems.push(cron);
    await cron.start({ scheduler: true, worker: { concurrency: 8 } });
    const job = await cron.jobs.create({
      name, overlap_policy: policy, catchup: { policy: 'all' },
      schedule: { type: 'cron', expression: '0 0/30 * * * ?', timezone: 'UTC' },
      steps: [{ id: 'b', type: 'block', config: {} }],
    });
    clock.set(new Date('2026-03-04T00:30:05Z'));
    await internalsOf(cron).scheduler()!.tick(); // the 00:30 run starts and blocks
    await until(() => state.running === 1, { timeoutMs: 10_000, what: 'first run started' });
    // Scheduler down 00:30 → 03:40: 01:00 … 03:30 are due. Only the scheduler is down: the worker
    // holding the 00:30 run heartbeats all along, so the clock walks there in 10-minute steps with
    // heartbeats between them. In one jump the run's 1 h lease would be expired at 03:40 and the
    // dispatcher would rightly hand it to another delivery (a reclaim, not what this test is about).
    while (clock.now().getTime() < Date.parse('2026-03-04T03:40:00Z')) {
      clock.set(new Date(Math.min(clock.now().getTime() + 600_000, Date.parse('2026-03-04T03:40:00Z'))));
      await new Promise((r) => setTimeout(r, 100));
    }
    await internalsOf(cron).scheduler()!.tick();
    if (policy === 'cancel_other') await until(async () => (await cron.executions.list({ jobId: job.id, status: 'cancelled' })).length >= 1, { timeoutMs: 10_000, what: 'open run cancelled' });
    if (policy === 'allow') await until(() => state.running === 7, { timeoutMs: 10_000, what: 'all seven running at once' });
    const deadline = Date.now() + 20_000;
    while ((await cron.executions.list({ jobId: job.id, status: ['pending', 'running', 'cancelling'] })).length && Date.now() < deadline) {
      state.release();
      await new Promise((r) => setTimeout(r, 50));
    }
    const runs = (await cron.executions.list({ jobId: job.id, limit: 100 })).sort((a, b) => a.scheduledFor!.getTime() - b.scheduledFor!.getTime());
    const skipped = (await cron.ledger(job.id)).filter((l) => l.outcome === 'skipped');
    return { runs: runs.map((e) => `${e.scheduledFor!.toISOString().slice(11, 16)} ${e.status}`), skipped: skipped.map((l) => `${l.fireAt.toISOString().slice(11, 16)} ${l.reason}`), peak: state.peak };
  }
  const DUE = ['01:00', '01:30', '02:00', '02:30', '03:00', '03:30'];

  it('allow: the open run and all six caught-up fires run side by side', async () => {
    const r = await downtime('down-allow', 'allow');
    expect(r.runs).toEqual(['00:30 success', ...DUE.map((t) => `${t} success`)]);
    expect(r.peak).toBe(7);
  });
  it('forbid: all six are skipped (overlap) while the 00:30 run is open', async () => {
    const r = await downtime('down-forbid', 'forbid');
    expect(r.runs).toEqual(['00:30 success']);
    expect(r.skipped).toEqual(DUE.map((t) => `${t} overlap`));
  });
  it('queue_one: the latest waits behind the open run, the other five are skipped', async () => {
    const r = await downtime('down-queue-one', 'queue_one');
    expect(r.runs).toEqual(['00:30 success', '03:30 success']);
    expect(r.skipped).toEqual(DUE.slice(0, 5).map((t) => `${t} overlap`));
    expect(r.peak).toBe(1);
  });
  it('queue_all: all six run, one at a time', async () => {
    const r = await downtime('down-queue-all', 'queue_all');
    expect(r.runs).toEqual(['00:30 success', ...DUE.map((t) => `${t} success`)]);
    expect(r.peak).toBe(1);
  });
  it('cancel_other: the open run is cancelled, the latest runs, five are skipped', async () => {
    const r = await downtime('down-cancel-other', 'cancel_other');
    expect(r.runs).toEqual(['00:30 cancelled', '03:30 success']);
    expect(r.skipped).toEqual(DUE.slice(0, 5).map((t) => `${t} overlap`));
  });
});
