/**
 * Issue 12, "a distributed process never exits after `await cron.stop()`": each role, in its own
 * process, with PostgreSQL storage, a NATS queue and Redis coordination built inline (no handle
 * kept), stops and then exits by itself. Before the fix the Redis sockets kept the process alive.
 * Uses the run's private PostgreSQL, NATS and Redis (@vecron/test-servers) with a schema, stream
 * and key prefix of its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testServers } from '@vecron/test-servers';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/roles/run-role.ts');
const id = `own_${process.pid}_${Date.now().toString(36)}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vecron-exit-'));
const servers = testServers();
const config = {
  pg: servers.postgres,
  schema: id,
  nats: servers.nats,
  stream: id.toUpperCase(),
  redis: servers.redis,
  prefix: `${id}:`,
  dataDir,
};

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: config.pg });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${id}" CASCADE`);
  await client.end();
});

/** Runs one role; resolves with its output and exit code, or with `code: null` if it had not exited 20 s after printing "stopped". */
function runRole(role: string): Promise<{ code: number | null; out: string; err: string; exitAfterStopMs: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=vecron-source', '--import', 'tsx', script, role, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let stoppedAt: number | null = null;
    let hung: NodeJS.Timeout | undefined;
    const overall = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (stoppedAt === null && out.includes('stopped')) {
        stoppedAt = Date.now();
        hung = setTimeout(() => child.kill('SIGKILL'), 20_000);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(overall);
      if (hung) clearTimeout(hung);
      resolve({ code: signal ? null : code, out, err, exitAfterStopMs: stoppedAt === null ? null : Date.now() - stoppedAt });
    });
  });
}

describe('every role exits by itself after stop()', () => {
  it('scheduler, worker, scheduler+worker (distributed) and the embedded default', async () => {
    const results = await Promise.all(['scheduler', 'worker', 'all', 'embedded'].map(async (role) => ({ role, ...(await runRole(role)) })));
    for (const r of results) {
      expect(r.out, `${r.role}: ${r.err}`).toContain('stopped');
      if (r.role !== 'scheduler') expect(r.out, r.role).toContain('ran success');
      expect({ role: r.role, code: r.code }).toEqual({ role: r.role, code: 0 });
      // Nothing keeps the process alive: it exits on its own (a hang is killed at 20 s and fails the
      // exit code above). The bound is generous because a loaded machine takes seconds to tear down.
      expect(r.exitAfterStopMs, r.role).toBeLessThan(15_000);
    }
  }, 120_000);
});
