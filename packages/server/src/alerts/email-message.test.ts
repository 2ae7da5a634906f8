import { describe, expect, it } from 'vitest';
import type { Alert } from './alerts.js';
import { renderAlertEmail } from './email-message.js';

const link = (id: string): string => `https://vecron.bank.test/dashboard/executions/${id}`;

describe('renderAlertEmail', () => {
  it('dead letter: subject, job, execution, status, error code and message, link', () => {
    const alert: Alert = {
      kind: 'dead_letter', job_id: 'j-1', job_name: 'eod-batch', execution_id: 'e-42', at: '2026-01-02T03:04:05.000Z',
      message: 'execution of eod-batch moved to the dead-letter queue',
      details: { status: 'dead_letter', error: 'HTTP_503', error_message: 'upstream answered 503' },
    };
    const m = renderAlertEmail(alert, link);
    expect(m.subject).toBe('[vecron] execution moved to the dead-letter queue: eod-batch');
    expect(m.text).toContain('Job:          eod-batch\nJob id:       j-1\nExecution id: e-42\nStatus:       dead_letter\n');
    expect(m.text).toContain('Error code:   HTTP_503\nError:        upstream answered 503\n');
    expect(m.text).toContain('Open the execution: https://vecron.bank.test/dashboard/executions/e-42');
  });

  it('consecutive failures and missed fires; a job name cannot inject headers', () => {
    const fails = renderAlertEmail({ kind: 'consecutive_failures', job_id: 'j', job_name: 'x\r\nBcc: evil@x.test', execution_id: 'e', at: 't', message: 'x failed 3 times in a row', details: { count: 3, status: 'failed', last_error: 'BOOM', error_message: null } }, link);
    expect(fails.subject).toBe('[vecron] job failing repeatedly: x Bcc: evil@x.test');
    expect(fails.text).toContain('Failures:     3 in a row\nError code:   BOOM\n');
    expect(fails.text).not.toContain('Error:  ');
    const missed = renderAlertEmail({ kind: 'missed_fire', job_id: 'j', job_name: 'hourly', at: 't', message: 'hourly missed its fire', details: { fire_at: '2026-01-01T00:00:00.000Z', reason: 'scheduler down' } }, link);
    expect(missed.subject).toBe('[vecron] missed fire: hourly');
    expect(missed.text).toContain('Fire time:    2026-01-01T00:00:00.000Z\nReason:       scheduler down\n');
    expect(missed.text).not.toContain('Open the execution');
  });
});
