import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineExecutor } from '@vecron/sdk';
import { generateSecretKey } from '@vecron/sdk/crypto';
import { postgresStorage } from '@vecron/sdk/postgres';
import type { AnyExecutor } from '@vecron/sdk';
import { eventually } from '@vecron/sdk/testing';
import { testServers } from '@vecron/test-servers';
import type { RunningServer } from '../src/runtime/start-server.js';
import { ADMIN_NEW_PASSWORD, adminToken, browser, client, sseEvents, startTestServer, testExecutors, userToken } from './helpers.js';

/** Issue 13: step logs and recorded files through the API, on the embedded store and on PostgreSQL. */

const chatty = defineExecutor({
  type: 'chatty', config: z.object({ lines: z.number().int() }),
  async execute(c, ctx) {
    for (let i = 1; i <= c.lines; i++) ctx.logger.info({ i, region: 'HN' }, 'line %d token=%s', i, ctx.variables.API_TOKEN);
    ctx.logger.error({ code: 'E1' }, 'bad row');
    return { ok: true };
  },
}) as AnyExecutor;

/** Writes a report in its file area and names it, plus paths a step must never get served. */
const writer = defineExecutor({
  type: 'writer', config: z.object({}).passthrough(),
  async execute(_c, ctx) {
    const out = await ctx.files.resolve('out/report ngày 1.csv');
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, 'account,amount\nA1,100\n');
    const link = await ctx.files.resolve('link.txt');
    await fs.symlink('/etc/hostname', link);
    return { files: [{ path: out, filename: path.basename(out) }, { path: '/etc/passwd' }, { path: link }], file: { path: path.join(ctx.files.root, '..', 'other', 'x.csv') } };
  },
}) as AnyExecutor;

const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const dirs: string[] = [];
const schemas: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  if (schemas.length) {
    const db = await postgresStorage({ connectionString: testServers().postgres, migrate: false, poolMax: 1 });
    for (const s of schemas) await db.pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await db.close();
  }
});

async function start(kind: 'embedded' | 'postgres'): Promise<RunningServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vecron-logs-'));
  await fs.chmod(dataDir, 0o700);
  dirs.push(dataDir);
  const executors = [...testExecutors(), chatty, writer];
  if (kind === 'embedded') return startTestServer({ storage: { data_dir: dataDir } }, { executors });
  const schema = `srv_logs_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  schemas.push(schema);
  return startTestServer({ storage: { data_dir: dataDir, database_url: testServers().postgres, schema }, security: { encryption_key: generateSecretKey() }, auth: { keys: [{ kid: 'k1', private_key_pem: jwtKey }] } }, { executors });
}

describe.each(['embedded', 'postgres'] as const)('execution logs and files (%s)', (kind) => {
  it('pages an execution\'s step logs per attempt (secrets masked), announces them on SSE, and serves only the files it recorded (audited)', async () => {
    const server = await start(kind);
    try {
      const base = server.apiUrl!;
      const c = client(base);
      const admin = await adminToken(base);
      await server.cron.variables.set({ name: 'API_TOKEN', value: 'super-secret-token-123', sensitive: true });
      const job = await c.call('POST', '/api/jobs', { token: admin, body: { name: `logs-${kind}`, steps: [{ id: 'talk', type: 'chatty', config: { lines: 5 } }, { id: 'write', type: 'writer', config: {} }] } });
      expect(job.status).toBe(201);

      const sse = new AbortController();
      const events = await fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${admin}` }, signal: sse.signal });
      const stream = sseEvents(events);
      const run = await c.call('POST', `/api/jobs/${job.body.id}/trigger`, { token: admin, body: {} });
      const id = run.body.execution_id as string;
      let announced: unknown = null;
      for await (const e of stream) {
        if (e.event === 'execution.step.log' && (e.data as { execution_id: string }).execution_id === id) {
          announced = e.data;
          break;
        }
      }
      sse.abort();
      expect(announced).toMatchObject({ execution_id: id, job_id: job.body.id, step_id: 'talk', attempt: 1, lines: 6 });
      await eventually(async () => expect((await c.call('GET', `/api/executions/${id}`, { token: admin })).body.status).toBe('success'), { timeoutMs: 15_000 });

      const all = await c.call('GET', `/api/executions/${id}/logs`, { token: admin });
      expect(all.status).toBe(200);
      expect(all.body.next_after).toBeNull();
      expect(all.body.items.map((l: { step_id: string; seq: number; level: string }) => [l.step_id, l.seq, l.level])).toEqual([
        ['talk', 1, 'info'], ['talk', 2, 'info'], ['talk', 3, 'info'], ['talk', 4, 'info'], ['talk', 5, 'info'], ['talk', 6, 'error'],
      ]);
      expect(all.body.items[0]).toMatchObject({ attempt: 1, message: 'line 1 token=••••••', fields: { i: 1, region: 'HN' }, at: expect.any(String) });
      expect(JSON.stringify(all.body)).not.toContain('super-secret');
      const page1 = await c.call('GET', `/api/executions/${id}/logs?limit=4`, { token: admin });
      expect(page1.body.items).toHaveLength(4);
      const page2 = await c.call('GET', `/api/executions/${id}/logs?limit=4&after=${page1.body.next_after}`, { token: admin });
      expect([...page1.body.items, ...page2.body.items].map((l: { id: number }) => l.id)).toEqual(all.body.items.map((l: { id: number }) => l.id));
      expect((await c.call('GET', `/api/executions/${id}/logs?step_id=write`, { token: admin })).body.items).toEqual([]);
      expect((await c.call('GET', `/api/executions/${id}/logs?limit=0`, { token: admin })).body.error).toMatchObject({ code: 'VALIDATION_FAILED' });

      const files = await c.call('GET', `/api/executions/${id}/files`, { token: admin });
      expect(files.body.items).toEqual([{ name: 'out/report ngày 1.csv', step_id: 'write', size: 22, download: `/api/executions/${id}/files/${encodeURIComponent('out/report ngày 1.csv')}` }]);
      const dl = await fetch(`${base}${files.body.items[0].download}`, { headers: { authorization: `Bearer ${admin}` } });
      expect(dl.status).toBe(200);
      expect(dl.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="report ng_y 1.csv"; filename*=UTF-8''${encodeURIComponent('report ngày 1.csv')}`);
      expect(await dl.text()).toBe('account,amount\nA1,100\n');
      const audit = await c.call('GET', '/api/audit?action=execution.file.download', { token: admin });
      expect(audit.body.items[0]).toMatchObject({ action: 'execution.file.download', resource: `execution:${id}`, actor: 'admin', details: { file: 'out/report ngày 1.csv', size: 22 } });

      // Nothing but a recorded name is served: traversal, absolute paths, a recorded path outside the area, a symlink out of it.
      for (const name of ['../../../../etc/passwd', '/etc/passwd', 'link.txt', '..%2F..%2Fout%2Freport.csv', 'out', '%2e%2e/%2e%2e/x']) {
        const r = await c.call('GET', `/api/executions/${id}/files/${encodeURIComponent(name)}`, { token: admin });
        expect(r.status, name).toBe(404);
      }
      expect((await c.call('GET', `/api/executions/${id}/files/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd`, { token: admin })).status).toBe(404);

      // Read permission: another user who sees only their own runs learns nothing of this one.
      const own = await userToken(base, admin, `viewer-${kind}`, ['Regular User']);
      expect((await c.call('GET', `/api/executions/${id}/logs`, { token: own.token })).status).toBe(404);
      expect((await c.call('GET', `/api/executions/${id}/files/${encodeURIComponent('out/report ngày 1.csv')}`, { token: own.token })).status).toBe(404);
      expect((await c.call('GET', `/api/executions/${id}/logs`)).status).toBe(401);
      const noRead = await c.call('POST', '/api/roles', { token: admin, body: { name: `jobs-only-${kind}`, permissions: ['job:read'] } });
      expect(noRead.status).toBe(201);
      const jobsOnly = await userToken(base, admin, `jobs-only-${kind}`, [`jobs-only-${kind}`]);
      expect((await c.call('GET', `/api/executions/${id}/logs`, { token: jobsOnly.token })).status).toBe(403);

      // The dashboard behind the server's sign-in: the panel, and a download audited through onAction.
      const b = browser(base);
      await b.get('/dashboard/login');
      expect((await b.post('/dashboard/login', { username: 'admin', password: ADMIN_NEW_PASSWORD })).status).toBe(303);
      const pageHtml = await b.get(`/dashboard/executions/${id}`);
      expect(pageHtml.status).toBe(200);
      expect(pageHtml.text).toContain('id="step-logs"');
      expect(pageHtml.text).toContain('line 5 token=••••••');
      expect(pageHtml.text).not.toContain('super-secret');
      const viaDashboard = await b.get(`/dashboard/executions/${id}/files/${encodeURIComponent('out/report ngày 1.csv')}`);
      expect(viaDashboard.status).toBe(200);
      expect(viaDashboard.text).toBe('account,amount\nA1,100\n');
      expect((await b.get(`/dashboard/executions/${id}/files/${encodeURIComponent('../../../../etc/passwd')}`)).status).toBe(404);
      const dashAudit = await server.audit.list({ action: 'execution.file.download', limit: 10, offset: 0 });
      expect(dashAudit.find((a) => a.details.via === 'dashboard')).toMatchObject({ actor: 'admin', resource: `execution:${id}`, details: { file: 'out/report ngày 1.csv' } });

      const doc = await c.call('GET', '/api/openapi.json', { token: admin });
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/executions/{id}/logs', '/api/executions/{id}/files', '/api/executions/{id}/files/{name}']));
      expect(doc.body.paths['/api/executions/{id}/logs'].get['x-vecron-permission']).toBe('execution:read');
    } finally {
      await server.stop();
    }
  });
});

describe('step log settings of the server', () => {
  it('worker.step_log_max_lines bounds each attempt; worker.step_log_level = "off" keeps none', async () => {
    const server = await startTestServer({ worker: { step_log_max_lines: 2 } }, { executors: [...testExecutors(), chatty] });
    try {
      const job = await server.cron.jobs.create({ name: 'bounded', steps: [{ id: 'talk', type: 'chatty', config: { lines: 5 } }] });
      const { executionId } = await server.cron.trigger(job.id);
      await server.cron.executions.wait(executionId, { timeoutMs: 15_000 });
      await eventually(async () => expect((await server.cron.executions.logs(executionId)).map((l) => l.level)).toEqual(['info', 'info', 'warn']), { timeoutMs: 10_000 });
      expect((await server.cron.executions.logs(executionId)).at(-1)!.fields).toMatchObject({ truncated: true, dropped_lines: 4 });
    } finally {
      await server.stop();
    }
    const quiet = await startTestServer({ worker: { step_log_level: 'off' } }, { executors: [...testExecutors(), chatty] });
    try {
      const job = await quiet.cron.jobs.create({ name: 'quiet', steps: [{ id: 'talk', type: 'chatty', config: { lines: 3 } }] });
      const { executionId } = await quiet.cron.trigger(job.id);
      await quiet.cron.executions.wait(executionId, { timeoutMs: 15_000 });
      await quiet.stop(); // writes anything buffered
      expect(quiet.cron.stepLogStats()).toEqual({ written: 0, dropped: 0, failedWrites: 0 });
    } finally {
      await quiet.stop();
    }
  });
});
