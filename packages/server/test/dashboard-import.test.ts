/**
 * The dashboard's job import behind the server: the same conversions and per-item rules as the CLI
 * and `POST /api/jobs/import`, a dry run that saves nothing, audited imports, `job:import` enforced.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/runtime/start-server.js';
import { ADMIN_NEW_PASSWORD, adminToken, browser, client, echoJob, userToken } from './helpers.js';
import { startTestServer } from './helpers.js';

let server: RunningServer;
let base: string;
let admin: string;
beforeAll(async () => {
  server = await startTestServer();
  base = server.apiUrl!;
  admin = await adminToken(base);
});
afterAll(async () => {
  await server.stop();
});

async function signedIn(username = 'admin', password = ADMIN_NEW_PASSWORD): Promise<ReturnType<typeof browser>> {
  const b = browser(base);
  await b.get('/dashboard/login');
  const r = await b.post('/dashboard/login', { username, password });
  expect(r.status).toBe(303);
  // The CSRF token is bound to the session: take the page's token after signing in.
  await b.get('/dashboard/');
  return b;
}
const rowsOf = (page: string): Array<{ index: string; status: string }> =>
  [...page.matchAll(/<tr data-index="(\d+)" data-status="(\w+)">/g)].map((m) => ({ index: m[1]!, status: m[2]! }));

describe('/dashboard/editor/import', () => {
  it('dry-runs a vecron file item by item (nothing saved), then imports it: the good item is created, the bad one named with its path, the import audited', async () => {
    const b = await signedIn();
    const form = await b.get('/dashboard/editor/import');
    expect(form.status).toBe(200);
    for (const f of ['vecron', 'seed', 'quartz']) expect(form.text).toContain(`<option value="${f}"`);
    expect((await b.get('/dashboard/')).text).toContain('data-testid="import-jobs"');

    const text = JSON.stringify({ format: 'vecron.jobs', version: 1, exported_at: new Date().toISOString(), jobs: [echoJob('imported-ok'), { name: 'imported-bad', steps: [{ id: 'a', type: 'no_such_type', config: {} }] }] });
    const dry = await b.post('/dashboard/editor/import', { format: 'vecron', mode: 'upsert', dry_run: 'on', file_name: 'jobs.json', text });
    expect(dry.status).toBe(200);
    expect(dry.text).toContain('Dry run: 1 valid, 1 with problems. Nothing was saved.');
    expect(rowsOf(dry.text)).toEqual([{ index: '0', status: 'valid' }, { index: '1', status: 'error' }]);
    expect(dry.text).toMatch(/<code>\$\.steps\[0\]\.type<\/code>/);
    const api = client(base);
    expect((await api.call('GET', '/api/jobs?search=imported-', { token: admin })).body.items ?? []).toHaveLength(0);

    const real = await b.post('/dashboard/editor/import', { format: 'vecron', mode: 'upsert', file_name: 'jobs.json', text });
    expect(real.text).toContain('Created 1, updated 0, failed 1.');
    const created = await server.cron.jobs.getByName('imported-ok');
    expect(created).not.toBeNull();
    expect(real.text).toContain(`href="/dashboard/jobs/${created!.id}"`);
    expect(await server.cron.jobs.getByName('imported-bad')).toBeNull();
    // Again with "refuse existing jobs": the existing one is a conflict, nothing changes.
    const again = await b.post('/dashboard/editor/import', { format: 'vecron', mode: 'create', file_name: 'jobs.json', text: JSON.stringify(echoJob('imported-ok')) });
    expect(again.text).toContain('Created 0, updated 0, failed 1.');
    expect(again.text).toContain('<code>CONFLICT</code>');

    const audit = await api.call('GET', '/api/audit?action=job.import', { token: admin });
    const records = audit.body.items as Array<{ result: string; details: Record<string, unknown> }>;
    expect(records.length).toBe(2);
    expect(records.map((r) => r.details)).toContainEqual(expect.objectContaining({ via: 'dashboard', file: 'jobs.json', format: 'vecron', created: 1, failed: 1 }));
  });

  it('converts a Quartz XML file: one result per converted job, what the conversion changed listed; a file that does not parse is an error naming the file and the place', async () => {
    const b = await signedIn();
    const xml = readFileSync(new URL('./fixtures/quartz/settlement-jobs.xml', import.meta.url), 'utf8');
    const r = await b.post('/dashboard/editor/import', { format: 'quartz', mode: 'upsert', dry_run: 'on', file_name: 'settlement-jobs.xml', text: xml });
    expect(r.status).toBe(200);
    expect(rowsOf(r.text)).toHaveLength(7);
    expect(r.text).toContain('settlement.dailySettlement / settlementWeekdays');
    expect(r.text).toMatch(/What the conversion changed \(\d+\)/);
    const broken = await b.post('/dashboard/editor/import', { format: 'quartz', mode: 'upsert', dry_run: 'on', file_name: 'broken.xml', text: '<job-scheduling-data><schedule>' });
    expect(broken.text).toMatch(/data-testid="import-errors"[\s\S]*broken\.xml: line 1, column 1: /);
    const notJson = await b.post('/dashboard/editor/import', { format: 'vecron', mode: 'upsert', dry_run: 'on', file_name: 'x.json', text: '{ "name": ' });
    expect(notJson.text).toContain('x.json: $: not JSON');
    const badFormat = await b.post('/dashboard/editor/import', { format: 'csv', mode: 'upsert', text: 'a' });
    expect(badFormat.status).toBe(400);
    expect(badFormat.text).toContain('$.format');
  });

  it('a Regular User (no job:import) sees no import button and is refused by URL, GET and POST', async () => {
    await userToken(base, admin, 'import-user', ['Regular User']);
    const b = await signedIn('import-user', 'User-Password-123');
    expect((await b.get('/dashboard/')).text).not.toContain('data-testid="import-jobs"');
    expect((await b.get('/dashboard/editor/import')).status).toBe(403);
    const post = await b.post('/dashboard/editor/import', { format: 'vecron', mode: 'upsert', text: JSON.stringify(echoJob('sneaky')) });
    expect(post.status).toBe(403);
    expect(await server.cron.jobs.getByName('sneaky')).toBeNull();
  });
});
