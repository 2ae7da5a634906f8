import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/runtime/start-server.js';
import { adminToken, client, echoJob, startTestServer, userToken } from './helpers.js';

let server: RunningServer;
let api: ReturnType<typeof client>;
let admin: string;
let regular: string;

beforeAll(async () => {
  server = await startTestServer({}, {});
  api = client(server.apiUrl!);
  admin = await adminToken(server.apiUrl!);
  regular = (await userToken(server.apiUrl!, admin, 'sched-regular', ['Regular User'])).token;
});
afterAll(async () => {
  await server?.stop();
});

describe('calendars over the API', () => {
  it('lists the built-in vn calendar and gives its 2026 days with reasons (Tết as a holiday)', async () => {
    const list = await api.call('GET', '/api/calendars', { token: regular });
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(expect.objectContaining({ name: 'vn', built_in: true, timezone: 'Asia/Ho_Chi_Minh' }));
    const days = await api.call('GET', '/api/calendars/vn/days?year=2026', { token: regular });
    expect(days.status).toBe(200);
    expect(days.body.days).toHaveLength(365);
    expect(days.body.days.find((x: { date: string }) => x.date === '2026-02-17')).toMatchObject({ business_day: false, reason: 'Tết Nguyên Đán' });
    expect(days.body.days.find((x: { date: string }) => x.date === '2026-02-10')).toMatchObject({ business_day: true, reason: null });
    expect(days.body.business_days).toBe(days.body.days.filter((x: { business_day: boolean }) => x.business_day).length);
    const holidays = await api.call('GET', '/api/calendars/vn/days?year=2026&only=holidays', { token: regular });
    expect(holidays.body.days.length).toBeGreaterThan(5);
    expect(holidays.body.days.every((x: { business_day: boolean; kind: string }) => !x.business_day && x.kind !== 'weekend')).toBe(true);
    expect((await api.call('GET', '/api/calendars/vn/days?year=1800', { token: regular })).status).toBe(400);
    expect((await api.call('GET', '/api/calendars/nope/days', { token: regular })).status).toBe(404);
  });

  it('defines, replaces and deletes a calendar (job:write, audited); bad input names its field; a Regular User is refused', async () => {
    const def = { name: 'bank-hn', extends: 'vn', excluded_dates: [{ date: '2026-06-30', label: 'Khóa sổ' }] };
    expect((await api.call('POST', '/api/calendars', { token: regular, body: def })).status).toBe(403);
    const created = await api.call('POST', '/api/calendars', { token: admin, body: def });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'bank-hn', built_in: false, chain: ['bank-hn', 'vn'] });
    expect(created.headers.get('location')).toBe('/api/calendars/bank-hn');
    const june = await api.call('GET', '/api/calendars/bank-hn/days?year=2026', { token: admin });
    expect(june.body.days.find((x: { date: string }) => x.date === '2026-06-30')).toMatchObject({ business_day: false, reason: 'Khóa sổ' });
    expect((await api.call('POST', '/api/calendars', { token: admin, body: { ...def, excluded_dates: [] } })).status).toBe(200);
    const bad = await api.call('POST', '/api/calendars', { token: admin, body: { name: 'x', excluded_dates: ['2026-13-40'] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('excluded_dates');
    expect((await api.call('POST', '/api/calendars', { token: admin, body: { name: 'vn' } })).status).toBe(409);
    expect((await api.call('DELETE', '/api/calendars/bank-hn', { token: admin })).status).toBe(204);
    expect((await api.call('DELETE', '/api/calendars/bank-hn', { token: admin })).status).toBe(404);
    const audit = await server.audit.list({ limit: 50, offset: 0 });
    expect(audit.filter((a) => a.resource === 'calendar:bank-hn').map((a) => `${a.action}:${a.result}`)).toEqual(
      expect.arrayContaining(['calendar.define:ok', 'calendar.delete:ok', 'calendar.delete:NOT_FOUND']),
    );
  });
});

describe('explain and backfill over the API', () => {
  it('explains the next fires with calendar skips; backfills a range dry-run then for real, idempotently and audited', async () => {
    const job = await api.call('POST', '/api/jobs', {
      token: admin,
      body: echoJob('sched-daily', { schedule: { type: 'cron', expression: '0 0 9 * * ?', timezone: 'Asia/Ho_Chi_Minh', calendar: 'vn', calendar_shift: 'skip' } }),
    });
    expect(job.status).toBe(201);
    const id = job.body.id as string;
    const ex = await api.call('GET', `/api/jobs/${id}/explain?n=5&from=2026-02-13T00:00:00Z`, { token: regular });
    expect(ex.status).toBe(200);
    expect(ex.body.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(ex.body.entries.filter((e: { outcome: string }) => e.outcome !== 'skipped')).toHaveLength(5);
    expect(ex.body.entries).toContainEqual(expect.objectContaining({ nominal: '2026-02-17T02:00:00.000Z', outcome: 'skipped' }));
    expect(typeof ex.body.text).toBe('string');

    const range = { from: '2026-02-16T00:00:00Z', to: '2026-02-27T00:00:00Z' };
    expect((await api.call('POST', `/api/jobs/${id}/backfill`, { token: regular, body: range })).status).toBe(403);
    const dry = await api.call('POST', `/api/jobs/${id}/backfill`, { token: admin, body: range });
    expect(dry.status).toBe(200);
    expect(dry.body.dry_run).toBe(true);
    expect(dry.body.created).toBe(0);
    expect(dry.body.skipped.length).toBeGreaterThan(0);
    const runs = dry.body.runs.length as number;
    expect(runs).toBeGreaterThan(0);
    const real = await api.call('POST', `/api/jobs/${id}/backfill`, { token: admin, body: { ...range, dry_run: false } });
    expect(real.status).toBe(201);
    expect(real.body.created).toBe(runs);
    expect(real.body.runs.every((r: { execution_id: string | null }) => r.execution_id)).toBe(true);
    const again = await api.call('POST', `/api/jobs/${id}/backfill`, { token: admin, body: { ...range, dry_run: false } });
    expect(again.body.created).toBe(0);
    const bad = await api.call('POST', `/api/jobs/${id}/backfill`, { token: admin, body: { from: range.to, to: range.from } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('$.to');
    const audit = (await server.audit.list({ limit: 50, offset: 0 })).filter((a) => a.action === 'job.backfill' && a.resource === `job:${id}`);
    expect(audit.map((a) => a.details.dry_run)).toEqual(expect.arrayContaining([true, false]));
  });

  it('documents the routes in OpenAPI with their permissions', async () => {
    const doc = await api.call('GET', '/api/openapi.json', { token: admin });
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, { 'x-vecron-permission': string }>>;
    expect(paths['/api/calendars']!.get!['x-vecron-permission']).toBe('job:read');
    expect(paths['/api/calendars']!.post!['x-vecron-permission']).toBe('job:write');
    expect(paths['/api/calendars/{name}/days']!.get).toBeDefined();
    expect(paths['/api/jobs/{id}/explain']!.get!['x-vecron-permission']).toBe('job:read');
    expect(paths['/api/jobs/{id}/backfill']!.post!['x-vecron-permission']).toBe('job:write');
  });
});
