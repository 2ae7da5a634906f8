import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { client } from './helpers.js';
import { until } from '@vecron/sdk/testing';
import { randomUUID } from 'node:crypto';
import { embeddedStorage, parseJobDefinition } from '@vecron/sdk';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../src/cli.ts');
const TSX = path.resolve(here, '../../../node_modules/tsx/dist/esm/index.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vecron-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', TSX, '--conditions=vecron-source', CLI, ...args], {
    cwd: tmp, env: { PATH: process.env.PATH ?? '', VECRON__LOG__LEVEL: 'warn', VECRON__API__PORT: '0', VECRON__METRICS__PORT: '0', VECRON__EXECUTORS__ALLOW_HOSTS: '["127.0.0.1"]', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stderr: () => err + out, exited };
}

describe('vecron CLI', () => {
  it('`vecron scheduler-pause REASON`, `scheduler-status`, `scheduler-resume` switch the cluster-wide pause in the store, audited as cli', async () => {
    const env = { VECRON__STORAGE__DATA_DIR: path.join(tmp, 'pause-data') };
    const step = async (args: string[]): Promise<string> => {
      const r = run(args, env);
      expect(await r.exited, r.stderr()).toBe(0);
      return r.stderr();
    };
    expect(await step(['scheduler-pause', 'database', 'upgrade'])).toMatch(/schedulers paused since \S+ by cli: database upgrade/);
    expect(await step(['scheduler-status'])).toMatch(/paused since \S+ by cli: database upgrade/);
    expect(await step(['scheduler-resume'])).toContain('schedulers resumed');
    expect(await step(['audit', 'verify'])).toContain('audit chain intact: 2 records');
  });

  it('`vecron purge` deletes old finished executions and ledger rows by the given rules, per kind; --dry-run deletes nothing; a bad flag is named', async () => {
    const dataDir = path.join(tmp, 'purge-data');
    const storage = await embeddedStorage({ dataDir });
    const now = Date.now();
    const ago = (days: number): Date => new Date(now - days * 86_400_000);
    const job = await storage.createJob({ id: randomUUID(), definition: parseJobDefinition({ name: 'nightly', steps: [{ id: 's', type: 'http', config: {} }] }), now: ago(400), anchorAt: ago(400), nextFireAt: null });
    const finish = async (days: number): Promise<string> => {
      const id = randomUUID();
      await storage.createExecution({ id, jobId: job.id, idempotencyKey: id, triggerSource: 'manual', availableAt: ago(days) }, ago(days));
      const c = await storage.claimExecution(id, { owner: 'w', leaseMs: 10_000, now: ago(days), exclusive: false });
      if (!c.claimed) throw new Error('not claimed');
      await storage.completeExecution(id, c.execution.fencingToken!, { status: 'success', error: null, context: { steps: {} }, now: ago(days) });
      return id;
    };
    const old = [await finish(200), await finish(150)];
    const recent = await finish(1);
    await storage.recordLedger({ jobId: job.id, fireAt: ago(200), outcome: 'fired', reason: null, executionId: old[0]!, recordedAt: ago(200) });
    await storage.close();
    const env = { VECRON__STORAGE__DATA_DIR: dataDir };
    const purge = async (args: string[], code = 0): Promise<string> => {
      const r = run(['purge', ...args], env);
      expect(await r.exited, r.stderr()).toBe(code);
      return r.stderr();
    };
    expect(await purge(['--older-than', 'soon'], 2)).toContain('--older-than must be a number of days');
    const dry = await purge(['--dry-run', '--job', 'nightly', '--older-than', '100']);
    expect(dry).toContain('would delete executions: 2');
    expect(dry).toContain('would delete ledger rows: 1');
    // Configured rules ([retention], loop off): 90 days by default.
    const done = await purge([]);
    expect(done).toContain('deleted executions: 2');
    expect(done).toContain('deleted ledger rows: 1');
    expect(await purge(['--keep-last', '0', '--dry-run'])).toContain('would delete executions: 1');
    const after = await embeddedStorage({ dataDir });
    try {
      for (const id of old) expect(await after.getExecution(id)).toBeNull();
      expect(await after.getExecution(recent)).not.toBeNull();
    } finally {
      await after.close();
    }
  });

  it('`vecron healthcheck` loads only the configuration, not the server (the image runs it every 10 s with a 5 s timeout)', async () => {
    // A module hook after tsx's records every module the command resolves.
    const loaded = path.join(tmp, 'healthcheck-modules.txt');
    const hook = path.join(tmp, 'record-modules.mjs');
    writeFileSync(hook, `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(`import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(loaded)}, r.url + '\\n'); return r; }`)}));\n`);
    writeFileSync(loaded, '');
    const child = spawn(process.execPath, ['--import', TSX, '--import', hook, '--conditions=vecron-source', CLI, 'healthcheck'], {
      cwd: tmp, env: { PATH: process.env.PATH ?? '', VECRON__METRICS__PORT: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    expect(await new Promise((r) => child.on('exit', r))).toBe(1);
    expect(out).toContain('127.0.0.1:1/health');
    const modules = readFileSync(loaded, 'utf8').split('\n');
    expect(modules.some((m) => m.endsWith('/src/cli/healthcheck.ts'))).toBe(true);
    expect(modules.filter((m) => /\/src\/(runtime|http|cli\/commands|store|routes)[/.]/.test(m))).toEqual([]);
  });

  it('a bad config value stops start-up naming the key', async () => {
    const p = run(['all'], { VECRON__API__PORT: 'not-a-port' });
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toContain('$.api.port');
  });

  it('`vecron all` with no database serves the API, runs scheduled jobs, stops on SIGTERM; `audit verify` checks the chain, also against a checkpoint', async () => {
    let hits = 0;
    const target = http.createServer((_req, res) => {
      hits += 1;
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/ping`;
    const p = run(['all']);
    try {
      const apiUrl: string = await until(() => /API on (http:\/\/[\d.:]+)/.exec(p.stderr())?.[1] ?? '', { timeoutMs: 90_000 });
      const password = /one-time password:\s+(\S+)/.exec(p.stderr())![1]!;
      const api = client(apiUrl);
      const first = await api.call('POST', '/api/auth/login', { body: { username: 'admin', password } });
      expect(first.body.must_change_password).toBe(true);
      const token = (await api.call('POST', '/api/auth/password', { token: first.body.token, body: { current_password: password, new_password: 'A-New-Admin-Password-1' } })).body.token;
      const job = await api.call('POST', '/api/jobs', {
        token,
        body: { name: 'ping-every-second', schedule: { type: 'fixed_rate', interval_seconds: 1 }, steps: [{ id: 'ping', type: 'http', config: { method: 'GET', url: targetUrl } }] },
      });
      expect(job.status).toBe(201);
      await until(() => hits >= 2, { timeoutMs: 30_000 });
      const runs = await until(async () => {
        const r = await api.call('GET', `/api/executions?job_id=${job.body.id}&status=success&trigger_source=scheduled`, { token });
        return r.body.items.length >= 2 ? r.body.items : null;
      }, { timeoutMs: 30_000 });
      expect(runs[0].trigger_source).toBe('scheduled');
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
      target.close();
    }
    const verify = run(['audit', 'verify']);
    expect(await verify.exited).toBe(0);
    expect(verify.stderr()).toMatch(/audit chain intact: \d+ records/);
    const cp = run(['audit', 'checkpoint', 'checkpoint.json']);
    expect(await cp.exited).toBe(0);
    expect(cp.stderr()).toMatch(/audit checkpoint written to checkpoint\.json: \d+ records, head hmac:/);
    const against = run(['audit', 'verify', '--checkpoint', 'checkpoint.json']);
    expect(await against.exited).toBe(0);
    expect(against.stderr()).toMatch(/audit chain intact: \d+ records \(checkpoint of .* matches\)/);
  });
});
