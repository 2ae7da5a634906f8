import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createSecretScrubber } from '../crypto/scrub.js';
import { createEventBus } from '../events.js';
import type { StepLogLine } from '../model/step-log.js';
import type { Storage } from '../storage/port.js';
import { DEFAULT_STEP_LOG_SETTINGS, createStepLogWriter } from './step-logs.js';
import type { StepLogSettings } from './step-logs.js';

const ids = { executionId: '00000000-0000-4000-8000-000000000001', jobId: '00000000-0000-4000-8000-000000000002', stepId: 'extract', attempt: 1 };

function setup(settings: Partial<StepLogSettings> = {}, append?: (lines: StepLogLine[]) => Promise<void>) {
  const stored: StepLogLine[] = [];
  const calls: number[] = [];
  const storage = { appendStepLogs: append ?? (async (lines: StepLogLine[]) => { calls.push(lines.length); stored.push(...lines); }) } as unknown as Storage;
  const warnings: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => void warnings.push(JSON.parse(l) as Record<string, unknown>) });
  const events = createEventBus(() => undefined);
  const notified: unknown[] = [];
  events.on('execution.step.log', (e) => notified.push(e));
  const writer = createStepLogWriter({ storage, events, clock: { now: () => new Date('2026-01-05T02:00:00Z') }, logger, settings: { ...DEFAULT_STEP_LOG_SETTINGS, flushMs: 60_000, ...settings } });
  // The process log of the step: what pino itself prints is not what is checked here.
  const stepLogger = pino({ level: 'trace' }, { write: () => undefined }).child({ ...ids, jobName: 'n', fencingToken: 3 });
  return { writer, stored, calls, warnings, notified, stepLogger };
}

describe('step log capture', () => {
  it('keeps level, message (pino formatting), own fields and child bindings; not the bound ids; not below the level', async () => {
    const { writer, stored, calls, notified, stepLogger } = setup();
    const cap = writer.open(ids, stepLogger, (t) => t);
    cap.logger.info({ rows: 12, when: new Date('2026-01-01T00:00:00Z'), big: 10n }, 'read %d rows from %s', 12, 'a.csv');
    cap.logger.debug('not kept at level info');
    cap.logger.child({ component: 'parser' }).warn('odd line');
    cap.logger.error(new Error('boom'));
    cap.logger.info({ msg: 'from the object' });
    await cap.finish();
    expect(calls).toEqual([4]);
    expect(stored.map((l) => [l.seq, l.level, l.message])).toEqual([
      [1, 'info', 'read 12 rows from a.csv'], [2, 'warn', 'odd line'], [3, 'error', 'boom'], [4, 'info', 'from the object'],
    ]);
    expect(stored[0]!.fields).toEqual({ rows: 12, when: '2026-01-01T00:00:00.000Z', big: '10' });
    expect(stored[1]!.fields).toEqual({ component: 'parser' });
    expect(stored[2]!.fields).toMatchObject({ err: { type: 'Error', message: 'boom' } });
    expect(stored[3]!.fields).toBeNull();
    expect(stored.every((l) => l.executionId === ids.executionId && l.stepId === 'extract' && l.attempt === 1)).toBe(true);
    expect(notified).toEqual([{ ...ids, lines: 4 }]);
  });

  it('masks the execution\'s secrets in every form, and credentials by field name or inside a URL', async () => {
    const { writer, stored, stepLogger } = setup();
    const cap = writer.open(ids, stepLogger, createSecretScrubber(['hunter2-secret']));
    cap.logger.info({ header: `Basic ${Buffer.from('u:hunter2-secret').toString('base64')}`, password: 'plain-pw', dsn: 'postgres://app:pw123@db/x' }, 'token is hunter2-secret, url https://u:topsecret@host/');
    await cap.finish();
    const text = JSON.stringify(stored);
    for (const leak of ['hunter2-secret', 'plain-pw', 'pw123', 'topsecret', Buffer.from('u:hunter2-secret').toString('base64')]) expect(text).not.toContain(leak);
    expect(stored[0]!.message).toContain('token is ');
  });

  it('keeps at most maxLines and maxBytes per attempt, then one truncated line with what was left out', async () => {
    const { writer, stored, stepLogger } = setup({ maxLines: 5, maxBytes: 1024 * 1024 });
    const cap = writer.open(ids, stepLogger, (t) => t);
    for (let i = 0; i < 10_000; i++) cap.logger.info({ i }, 'line');
    await cap.finish();
    expect(stored).toHaveLength(6);
    expect(stored[5]).toMatchObject({ seq: 6, level: 'warn', fields: { truncated: true, dropped_lines: 9995 } });

    const bytes = setup({ maxLines: 1000, maxBytes: 1024 });
    const capB = bytes.writer.open(ids, bytes.stepLogger, (t) => t);
    for (let i = 0; i < 100; i++) capB.logger.info('x'.repeat(100));
    await capB.finish();
    expect(bytes.stored.length).toBe(11); // 10 × 100 bytes fit in 1024, then the truncated line
    expect(bytes.stored.at(-1)!.fields).toMatchObject({ truncated: true, dropped_lines: 90, dropped_bytes: 9000 });
  });

  it('a failing write drops its lines, counts and logs it, and never throws to the step', async () => {
    const { writer, warnings, stepLogger } = setup({}, async () => {
      throw new Error('database down');
    });
    const cap = writer.open(ids, stepLogger, (t) => t);
    cap.logger.info('a');
    cap.logger.info('b');
    await expect(cap.finish()).resolves.toBeUndefined();
    expect(writer.stats()).toEqual({ written: 0, dropped: 2, failedWrites: 1 });
    expect(warnings.find((w) => w.msg === 'step log write failed; its lines are dropped')).toMatchObject({ lines: 2, err: { message: 'database down' } });
  });

  it('a write that hangs is given up after writeTimeoutMs; the buffer is bounded', async () => {
    const { writer, stepLogger } = setup({ writeTimeoutMs: 50, maxBufferedLines: 3 }, () => new Promise(() => undefined));
    const cap = writer.open(ids, stepLogger, (t) => t);
    for (let i = 0; i < 5; i++) cap.logger.info('l');
    await cap.finish();
    expect(writer.stats()).toEqual({ written: 0, dropped: 5, failedWrites: 1 });
  });

  it('writes in batches: a full batch at once, the rest on the timer', async () => {
    const { writer, calls, stepLogger } = setup({ flushMs: 20, maxLines: 5000, maxBytes: 10_000_000 });
    const cap = writer.open(ids, stepLogger, (t) => t);
    for (let i = 0; i < 1200; i++) cap.logger.info('l');
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual([500, 500, 200]);
    await cap.finish();
    expect(calls).toEqual([500, 500, 200]);
  });

  it('level false keeps nothing and returns the logger itself', async () => {
    const { writer, stored, stepLogger } = setup({ level: false });
    const cap = writer.open(ids, stepLogger, (t) => t);
    expect(cap.logger).toBe(stepLogger);
    cap.logger.error('x');
    await cap.finish();
    expect(stored).toEqual([]);
  });
});
