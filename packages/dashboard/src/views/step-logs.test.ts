import type { StoredStepLogLine } from '@vecron/sdk';
import { describe, expect, it } from 'vitest';
import { createFormatter } from '../format.js';
import { translator } from '../i18n/index.js';
import type { Lang } from '../i18n/index.js';
import { urlBuilder } from './context.js';
import type { ViewContext } from './context.js';
import { stepLogsPanel } from './step-logs.js';

const HOSTILE = '<script>alert(1)</script>';
const view = (lang: Lang = 'en'): ViewContext => {
  const t = translator(lang);
  return {
    base: '/dash', lang, t, f: createFormatter(lang, 'Asia/Ho_Chi_Minh', t), csrfToken: 'x', readOnly: false, can: () => true,
    userName: null, showNoAuthBanner: false, currentPath: '/', defaultTimeZone: 'Asia/Ho_Chi_Minh', url: urlBuilder('/dash'),
  };
};
const executionId = '22222222-2222-4222-8222-222222222222';
const line = (stepId: string, attempt: number, seq: number, o: Partial<StoredStepLogLine> = {}): StoredStepLogLine => ({
  id: seq + attempt * 100, executionId, stepId, attempt, seq, at: new Date('2026-01-05T02:00:00Z'), level: 'info', message: `m${seq}`, fields: null, ...o,
});

describe('stepLogsPanel', () => {
  it('groups lines per step attempt, escapes messages and fields, links recorded files by encoded name, refreshes on log events', () => {
    const out = stepLogsPanel(view(), {
      executionId, more: false, stepNames: new Map([['load', HOSTILE]]),
      lines: [line('load', 1, 1, { message: HOSTILE, fields: { html: HOSTILE } }), line('load', 1, 2, { level: 'error' }), line('load', 2, 1)],
      files: [{ name: 'out/a b&c.csv', stepId: 'load', size: 2048 }],
    }).toString();
    expect(out).not.toContain('<script>');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out.match(/<details class="log-attempt"/g)).toHaveLength(2);
    expect(out).toContain('data-attempt="2"');
    expect(out).toContain('Attempt 1 · 2 lines');
    expect(out).toContain('has errors');
    expect(out).toContain('data-live="/dash/fragments/executions/22222222-2222-4222-8222-222222222222/logs" data-live-on="log,execution"');
    expect(out).toContain(`href="/dash/executions/${executionId}/files/out%2Fa%20b%26c.csv" download`);
    expect(out).toContain('2.0 KiB');
  });

  it('says when nothing was logged, in Vietnamese too; says when more lines exist than are shown', () => {
    expect(stepLogsPanel(view('vi'), { executionId, more: false, stepNames: new Map(), lines: [], files: [] }).toString()).toContain('Chưa có bước nào ghi nhật ký.');
    expect(stepLogsPanel(view(), { executionId, more: true, stepNames: new Map(), lines: [line('a', 1, 1)], files: [] }).toString()).toContain('Showing the first 1 lines');
  });
});
