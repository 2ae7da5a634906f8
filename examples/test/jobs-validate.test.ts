/**
 * Every job definition under examples/jobs/ validates with the built-in executors and the built-in
 * `vn` calendar, with no undefined-variable warning beyond the variables it documents, and the set
 * covers the ground of the seed system's 13 example jobs (migration guide, issue 11).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCalendarRegistry } from '@vecron/sdk/calendar';
import { planEvents } from '@vecron/sdk/schedule';
import { validateJobDefinition } from '@vecron/sdk';
import type { JobDefinition } from '@vecron/sdk';
import { dbExecutor } from '@vecron/executor-db';
import { fileExecutor } from '@vecron/executor-file';
import { httpExecutor } from '@vecron/executor-http';
import { sftpExecutor } from '@vecron/executor-sftp';
import { describe, expect, it } from 'vitest';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../jobs');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const executors = [httpExecutor(), dbExecutor(), fileExecutor(), sftpExecutor()];
const calendars = createCalendarRegistry();

describe('examples/jobs', () => {
  it('holds at least 13 jobs plus a business-calendar job', () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
  });

  const defs = new Map<string, JobDefinition>();
  it.each(files)('%s validates', (file) => {
    const r = validateJobDefinition(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), { executors, calendars });
    expect(r.issues).toEqual([]);
    expect(r.valid).toBe(true);
    defs.set(file, r.definition!);
  });

  it('covers the seed system\'s 13 examples: each kind of job is there', () => {
    const all = [...defs.values()];
    const types = (d: JobDefinition): string[] => d.steps.map((s) => s.type);
    const has = (pred: (d: JobDefinition) => boolean): boolean => all.some(pred);
    expect(has((d) => types(d).join() === 'http' && !('auth' in d.steps[0]!.config))).toBe(true); // HTTP simple
    expect(has((d) => d.steps.some((s) => s.type === 'http' && (s.config.auth as { type?: string } | undefined)?.type === 'oauth2'))).toBe(true); // HTTP with auth
    expect(has((d) => types(d).join() === 'database')).toBe(true); // database query
    expect(has((d) => types(d)[0] === 'http' && types(d).includes('database') && types(d).length >= 3)).toBe(true); // multi-step HTTP → database
    expect(has((d) => d.steps.some((s) => s.type === 'file_processing' && s.config.format === 'csv' && s.config.operation === 'read'))).toBe(true); // CSV pipeline
    expect(has((d) => d.steps.some((s) => s.type === 'file_processing' && s.config.format === 'excel' && s.config.operation === 'read'))).toBe(true); // Excel processing
    const sftpOps = (d: JobDefinition): string[] => d.steps.filter((s) => s.type === 'sftp').map((s) => s.config.operation as string);
    expect(has((d) => sftpOps(d).join() === 'download')).toBe(true);
    expect(has((d) => sftpOps(d).join() === 'upload')).toBe(true);
    expect(has((d) => sftpOps(d).includes('download') && sftpOps(d).includes('upload'))).toBe(true); // both ways
    expect(all.filter((d) => d.triggers.webhook?.enabled && d.schedule === null).length).toBeGreaterThanOrEqual(2); // webhook + advanced webhook
    expect(has((d) => new Set(types(d)).size === 4)).toBe(true); // complex ETL: http, database, file_processing, sftp
    expect(has((d) => d.schedule?.type === 'business_day')).toBe(true);
  });

  it('the business-calendar job closes on the last business day of each month (30 Apr and 1 May 2026 are holidays)', () => {
    const d = defs.get('month-end-business-day.json')!;
    expect(d.schedule).toMatchObject({ type: 'business_day', calendar: 'vn', day: -1 });
    const fires = planEvents(d.schedule, Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-06-01T00:00:00Z'), {
      defaultTimeZone: 'Asia/Ho_Chi_Minh', calendar: (name) => calendars.get(name),
    }).filter((e) => e.outcome === 'fire').map((e) => new Date(e.at).toISOString());
    expect(fires).toEqual(['2026-01-30T10:30:00.000Z', '2026-02-27T10:30:00.000Z', '2026-03-31T10:30:00.000Z', '2026-04-29T10:30:00.000Z', '2026-05-29T10:30:00.000Z']);
  });
});
