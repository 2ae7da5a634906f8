import type { Execution, Job } from '@vecron/sdk';
import { describe, expect, it } from 'vitest';
import { createFormatter } from '../format.js';
import { translator } from '../i18n/index.js';
import type { Lang } from '../i18n/index.js';
import type { DashboardPermission } from '../permissions.js';
import { reasonText } from './components.js';
import { urlBuilder } from './context.js';
import type { ViewContext } from './context.js';
import { executionDetail } from './execution-detail.js';
import { executionsTable } from './executions.js';
import { jobHeader } from './job-detail.js';
import { jobsTable } from './jobs.js';
import { layout } from './layout.js';

const HOSTILE = '<script>alert(1)</script>';

const view = (o: { lang?: Lang; readOnly?: boolean; can?: DashboardPermission[] } = {}): ViewContext => {
  const lang = o.lang ?? 'en';
  const t = translator(lang);
  return {
    base: '/dash', lang, t, f: createFormatter(lang, 'Asia/Ho_Chi_Minh', t), csrfToken: 'tok"en', readOnly: o.readOnly ?? false,
    can: (p) => (o.can ? o.can.includes(p) : true), userName: null, showNoAuthBanner: true, currentPath: '/?page=2', defaultTimeZone: 'Asia/Ho_Chi_Minh', url: urlBuilder('/dash'),
  };
};

const job = {
  id: '11111111-1111-4111-8111-111111111111', name: HOSTILE, enabled: true, version: 1, createdAt: new Date(), updatedAt: new Date(),
  definition: { name: HOSTILE, description: `"><img src=x onerror=alert(2)>`, enabled: true, schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI' }, triggers: { scheduled: true, manual: true }, steps: [{ id: 's1', name: HOSTILE, type: 'echo', config: {} }] },
} as unknown as Job;

const execution = {
  id: '22222222-2222-4222-8222-222222222222', jobId: job.id, idempotencyKey: 'k', status: 'failed', triggerSource: 'manual', triggerMetadata: {}, scheduledFor: null, attempt: 1,
  currentStep: null, availableAt: new Date(), leaseOwner: null, leaseExpiresAt: null, fencingToken: null, replayOf: null, createdAt: new Date(), startedAt: new Date(), finishedAt: new Date(),
  context: { steps: { s1: { status: 'failed', attempts: 1, finished_at: 'now', output: { html: HOSTILE }, error: { name: 'E', code: 'X', message: HOSTILE, retryable: false } } }, payload: { p: HOSTILE } },
  error: { name: 'E', code: 'STEP_FAILED', message: HOSTILE, retryable: false },
} as unknown as Execution;

describe('views escape every value', () => {
  it('jobs table, executions table, execution detail and layout contain no raw markup from data', () => {
    const v = view();
    const pages = [
      jobsTable(v, [{ job, nextFires: [new Date(Date.now() + 60_000)], last: execution }], 1, false).value,
      executionsTable(v, { items: [execution], jobNames: new Map([[job.id, HOSTILE]]), query: {}, next: null, mode: 'dlq', pagePath: '/dead-letters' }).value,
      executionDetail(v, { execution, job, steps: [{ executionId: execution.id, stepId: 's1', attempt: 1, status: 'failed', fencingToken: 1, startedAt: new Date(), finishedAt: new Date(), error: execution.error, retryDelayMs: 5000 }] }).value,
      layout(v, { title: HOSTILE, section: 'jobs', body: jobsTable(v, [], 1, false) }).value,
    ];
    for (const p of pages) {
      expect(p).not.toContain('<script>alert');
      expect(p).not.toContain('<img');
      expect(p).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    expect(pages[3]).toContain('hx-headers="{&quot;X-CSRF-Token&quot;:&quot;tok\\&quot;en&quot;}"');
  });

  it('read-only and missing permissions hide the action buttons', () => {
    const rows = [{ job, nextFires: [], last: null }];
    expect(jobsTable(view(), rows, 1, false).value).toContain('data-testid="run-now"');
    expect(jobsTable(view({ readOnly: true }), rows, 1, false).value).not.toContain('<form');
    const noExecute = jobsTable(view({ can: ['job:read', 'job:write'] }), rows, 1, false).value;
    expect(noExecute).not.toContain('run-now');
    expect(noExecute).toContain('data-testid="disable"');
  });

  it('renders in Vietnamese', () => {
    const p = jobsTable(view({ lang: 'vi' }), [{ job, nextFires: [], last: execution }], 1, false).value;
    expect(p).toContain('Chạy ngay');
    expect(p).toContain('thất bại');
    expect(p).toContain('thứ Hai–thứ Sáu, lúc 02:00 theo giờ Asia/Ho_Chi_Minh');
  });

  it('shows the cron dialect beside the expression (job header and jobs table)', () => {
    const spring = { ...job, definition: { ...job.definition, schedule: { type: 'cron', expression: '0 0 2 * * MON-FRI', dialect: 'spring' } } } as unknown as Job;
    expect(jobHeader(view(), spring).value).toContain('<span class="pill" data-testid="cron-dialect">spring cron</span>');
    expect(jobHeader(view(), job).value).toContain('quartz cron');
    expect(jobHeader(view({ lang: 'vi' }), spring).value).toContain('cú pháp cron spring');
    expect(jobsTable(view(), [{ job: spring, nextFires: [], last: null }], 1, false).value).toContain('spring cron');
  });

  it('language links keep the current page and query', () => {
    const p = layout(view(), { title: 'x', section: 'jobs', body: jobsTable(view(), [], 1, false) }).value;
    expect(p).toContain('href="/dash/?page=2&amp;lang=vi"');
  });
});

describe('reasons in words', () => {
  it("translates the engine's calendar reasons and keeps holiday names", () => {
    const r = 'calendar vn: 2026-12-12 weekend, moved following to 2026-12-14';
    expect(reasonText(view(), r)).toBe('calendar vn: 2026-12-12 is weekend; moved (next business day) to 2026-12-14');
    expect(reasonText(view({ lang: 'vi' }), r)).toBe('lịch vn: 2026-12-12 là cuối tuần; dời (ngày làm việc kế tiếp) sang 2026-12-14');
    expect(reasonText(view({ lang: 'vi' }), 'calendar vn: 2026-02-17 Tết Nguyên Đán')).toBe('lịch vn: 2026-02-17 là Tết Nguyên Đán');
    expect(reasonText(view({ lang: 'vi' }), 'calendar vn: 2026-02-17 Tết Nguyên Đán, moved following to 2026-02-23, where it already runs')).toBe(
      'lịch vn: 2026-02-17 là Tết Nguyên Đán; dời (ngày làm việc kế tiếp) sang 2026-02-23; đã có lượt chạy vào thời điểm đó',
    );
    expect(reasonText(view({ lang: 'vi' }), 'overlap')).toBe('lượt trước chưa xong');
    expect(reasonText(view({ lang: 'vi' }), 'something else')).toBe('something else');
    expect(reasonText(view(), null)).toBe('');
  });
});
