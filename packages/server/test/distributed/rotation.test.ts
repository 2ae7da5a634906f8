import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createSecretBox, generateSecretKey } from '@vecron/sdk/crypto';
import { postgresStorage } from '@vecron/sdk/postgres';
import type { PostgresStorage } from '@vecron/sdk/postgres';
import { testServers } from '@vecron/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '@vecron/sdk/testing';
import { ADMIN_NEW_PASSWORD, ADMIN_PASSWORD, adminToken, client } from '../helpers.js';
import { clusterEnv, launch as launchProc, started } from './processes.js';
import type { Proc } from './processes.js';

/**
 * Issue 17 acceptance: JWT and encryption key rotation on a running cluster of `vecron api` ×2 and
 * `vecron worker` ×2 as real processes on PostgreSQL and NATS, restarted one at a time through the
 * three steps of docs/operations.md while work runs: every execution (an HTTP step sending a
 * sensitive variable the API keeps re-saving) succeeds with the right value, no valid token gets a
 * 401 on either API process, and `vecron secrets reencrypt` leaves nothing under the old key.
 */

const PG_URL = testServers().postgres;
const tag = randomUUID().slice(0, 8);
const schema = `vecron_rot_${tag}`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vecron-srv-rotation-'));
const pair = (): { private_key_pem: string; public_key_pem: string } => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { private_key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), public_key_pem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
};
const JWT_OLD = pair();
const JWT_NEW = pair();
const ENC_OLD = generateSecretKey();
const ENC_NEW = generateSecretKey();
type Step = 'start' | 'verify' | 'sign' | 'retire';
const JWT: Record<Step, unknown[]> = {
  start: [{ kid: 'old', private_key_pem: JWT_OLD.private_key_pem }],
  verify: [{ kid: 'old', private_key_pem: JWT_OLD.private_key_pem }, { kid: 'new', public_key_pem: JWT_NEW.public_key_pem }],
  sign: [{ kid: 'new', private_key_pem: JWT_NEW.private_key_pem }, { kid: 'old', public_key_pem: JWT_OLD.public_key_pem }],
  retire: [{ kid: 'new', private_key_pem: JWT_NEW.private_key_pem }],
};
const ENC: Record<Step, { current: string; previous: string[] }> = {
  start: { current: ENC_OLD, previous: [] },
  verify: { current: ENC_OLD, previous: [ENC_NEW] },
  sign: { current: ENC_NEW, previous: [ENC_OLD] },
  retire: { current: ENC_NEW, previous: [] },
};

const procs: Proc[] = [];
let db: PostgresStorage;
let base: Record<string, string>;
/** Values of the X-Partner-Token header the HTTP steps sent, per execution id. */
const received = new Map<string, string>();
const target = http.createServer((req, res) => {
  const exec = new URL(req.url ?? '/', 'http://x').searchParams.get('exec') ?? '';
  received.set(exec, String(req.headers['x-partner-token'] ?? ''));
  res.setHeader('content-type', 'application/json');
  res.end('{"ok":true}');
});

beforeAll(async () => {
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  db = await postgresStorage({ connectionString: PG_URL, schema, poolMax: 2 });
  base = {
    ...clusterEnv({ pgUrl: PG_URL, schema, natsUrl: testServers().nats, prefix: 'rot', tag }),
    VECRON__AUTH__INITIAL_ADMIN_PASSWORD: ADMIN_PASSWORD,
    VECRON__AUTH__LOGIN_MAX_PER_USER: '10000',
    VECRON__AUTH__LOGIN_MAX_PER_IP: '10000',
    VECRON__WORKER__SHUTDOWN_GRACE_MS: '10000',
  };
}, 60_000);

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  await db?.sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db?.close();
  target.close();
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

const envFor = (step: Step): Record<string, string> => ({
  ...base,
  VECRON__AUTH__KEYS: JSON.stringify(JWT[step]),
  VECRON__SECURITY__ENCRYPTION_KEY: ENC[step].current,
  VECRON__SECURITY__PREVIOUS_ENCRYPTION_KEYS: JSON.stringify(ENC[step].previous),
});
interface Member { name: string; role: 'api' | 'worker'; proc: Proc; url: string | null }
async function spawn(name: string, role: 'api' | 'worker', step: Step): Promise<Member> {
  const proc = launchProc(`${name}@${step}`, [role], { cwd: tmp, env: envFor(step), procs });
  await started(proc);
  const line = proc.out().split('\n').find((l) => l.includes('"msg":"vecron started"'))!;
  return { name, role, proc, url: (JSON.parse(line) as { apiUrl: string | null }).apiUrl };
}
async function restart(m: Member, step: Step): Promise<void> {
  m.proc.child.kill('SIGTERM');
  const code = await m.proc.exited;
  expect(code, `${m.name} stopped cleanly`).toBe(0);
  Object.assign(m, await spawn(m.name, m.role, step));
}
const kidOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('key rotation on a running cluster (vecron api ×2 + worker ×2 as processes)', () => {
  it('JWT and encryption keys rotated one process at a time: no failed execution, no 401 for a valid token, nothing left under the old key', { timeout: 900_000 }, async () => {
    const [a1, a2] = [await spawn('api-1', 'api', 'start'), await spawn('api-2', 'api', 'start')];
    const [w1, w2] = [await spawn('worker-1', 'worker', 'start'), await spawn('worker-2', 'worker', 'start')];
    const apis = [a1!, a2!];
    const tokens: string[] = [await adminToken(a1!.url!)];
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    const job = (await client(a1!.url!).call('POST', '/api/jobs', { token: tokens[0], body: {
      name: 'rotating', max_retries: 0,
      steps: [{ id: 'call', type: 'http', retry_count: 0, config: { method: 'GET', url: `${targetUrl}/?exec={{execution_id}}`, headers: { 'x-partner-token': '${PARTNER_TOKEN}' } } }],
    } })).body;
    expect(job.id, JSON.stringify(job)).toBeDefined();

    // Work keeps running during the whole rotation: every 500 ms, through each API process in turn,
    // the sensitive variable is saved again (a new value) and the job triggered.
    const executions: Array<{ id: string; value: string }> = [];
    const refused: string[] = [];
    let value = 'secret-0';
    let stop = false;
    let n = 0;
    const traffic = (async () => {
      while (!stop) {
        const api = apis[n++ % 2]!;
        const c = client(api.url!);
        const token = tokens.at(-1)!;
        value = `secret-${n}`;
        const put = await c.call('PUT', '/api/variables/PARTNER_TOKEN', { token, body: { value, sensitive: true } }).catch((err: unknown) => ({ status: -1, body: String(err) }));
        // A process restarting refuses connections: that is not a 401.
        if (put.status === 401) refused.push(`PUT on ${api.name}: 401 for kid ${kidOf(token)}`);
        if (put.status === 200 || put.status === 201) {
          const r = await c.call('POST', `/api/jobs/${job.id}/trigger`, { token, body: {} }).catch(() => ({ status: -1, body: null }));
          if (r.status === 401) refused.push(`trigger on ${api.name}: 401 for kid ${kidOf(token)}`);
          if (r.status === 202) executions.push({ id: r.body.execution_id, value });
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    /** Every token issued so far that this step still accepts, on both API processes; a new sign-in on each. */
    const check = async (label: string, kids: string[]): Promise<void> => {
      for (const api of apis) {
        const c = client(api.url!);
        const login = await c.call('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_NEW_PASSWORD } });
        expect(login.status, `${label}: sign-in on ${api.name}`).toBe(200);
        tokens.push(login.body.token);
        for (const t of tokens.filter((x) => kids.includes(kidOf(x)))) {
          const me = await c.call('GET', '/api/auth/me', { token: t });
          if (me.status !== 200) refused.push(`${label}: ${api.name} answered ${me.status} to kid ${kidOf(t)}`);
        }
      }
    };

    await check('start', ['old']);
    // 1. The new keys verify-only / decrypt-only everywhere, one process at a time.
    for (const m of [w1!, a1!, w2!, a2!]) await restart(m, 'verify');
    await check('verify', ['old']);
    // 2. Sign and encrypt with the new keys, one process at a time (an API process first).
    for (const m of [a2!, w1!, a1!, w2!]) await restart(m, 'sign');
    await check('sign', ['old', 'new']);
    // 3. Re-encrypt what is stored under the old key, then retire the old keys everywhere.
    const reencrypt = launchProc('reencrypt', ['secrets', 'reencrypt'], { cwd: tmp, env: envFor('sign'), procs });
    expect(await reencrypt.exited, reencrypt.out().slice(-2000)).toBe(0);
    for (const m of [a1!, w1!, a2!, w2!]) await restart(m, 'retire');
    await check('retire', ['new']);
    await new Promise((r) => setTimeout(r, 2_000));
    stop = true;
    await traffic;

    expect(refused).toEqual([]);
    expect(executions.length).toBeGreaterThan(20);
    const finished = await until(async () => {
      const { rows } = await db.sql.query<{ id: string; status: string }>(`SELECT id, status FROM vecron_executions WHERE job_id = $1`, [job.id]);
      return rows.every((r) => ['success', 'failed', 'dead_letter', 'cancelled', 'timeout'].includes(r.status)) ? rows : null;
    }, { timeoutMs: 120_000, what: 'every execution to finish' });
    expect(finished.filter((r) => r.status !== 'success'), 'executions that did not succeed').toEqual([]);
    // Each run sent a value the API had saved (decrypted by whichever worker ran it).
    for (const e of executions) expect(received.get(e.id), e.id).toMatch(/^secret-\d+$/);
    const { rows } = await db.sql.query<{ v: string }>(`SELECT value AS v FROM vecron_variables WHERE sensitive`);
    expect(rows.map((r) => r.v.split(':')[1])).toEqual(rows.map(() => createSecretBox(ENC_NEW).keyId));
    process.stdout.write(`[rotation] ${JSON.stringify({ executions: executions.length, tokens: tokens.length, restarts: 12 })}\n`);
  });
});
