import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { testServers } from '@vecron/test-servers';
import { freePort } from '@vecron/test-servers/provision';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podman, removeContainers, runContainer, until } from './podman.js';
import type { RunningContainer } from './podman.js';

/**
 * The roles as separate containers, as Compose and Kubernetes run them: `vecron migrate`, then
 * `api`, `scheduler` ×2 and `worker` ×2 on the run's private PostgreSQL, NATS and Redis (own
 * schema, stream and key prefix), configured from an env file as compose.yaml does.
 */

const tag = randomUUID().slice(0, 8);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vecron-deploy-roles-'));
const envFile = path.join(tmp, 'vecron.env');
const PASSWORD = 'Roles-Admin-Pass-1';
const containers: RunningContainer[] = [];
const hits: string[] = [];
const target = http.createServer((req, res) => {
  hits.push(new URL(req.url ?? '/', 'http://x').searchParams.get('exec') ?? '');
  res.setHeader('content-type', 'application/json');
  res.end('{"ok":true}');
});
let apiPort = 0;
let token = '';
const metricsPorts: Record<string, number> = {};

async function call(method: string, p: string, body?: unknown, auth = token): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
  const res = await fetch(`http://127.0.0.1:${apiPort}${p}`, { method, headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function start(name: string, role: string, extra: string[] = []): RunningContainer {
  const c = runContainer(`vecron-${name}-${tag}`, ['--network=host', '--read-only', '--tmpfs', '/tmp', '--cap-drop=ALL', '--env-file', envFile, ...extra], [role]);
  containers.push(c);
  return c;
}

beforeAll(async () => {
  const s = testServers();
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // An env file as gen-secrets.sh writes it: one line per variable, the PEM's newlines as \n in JSON.
  writeFileSync(envFile, [
    `VECRON__STORAGE__DATABASE_URL=${s.postgres}`,
    `VECRON__STORAGE__SCHEMA=vecron_deploy_${tag}`,
    `VECRON__QUEUE__NATS_SERVERS=${s.nats}`,
    `VECRON__QUEUE__STREAM=VD_${tag}`,
    `VECRON__QUEUE__SUBJECT=vd-${tag}.work`,
    `VECRON__QUEUE__CONSUMER=vd-${tag}-workers`,
    `VECRON__QUEUE__EVENTS_SUBJECT=vd-${tag}.events`,
    `VECRON__COORDINATION__REDIS_URL=${s.redis}`,
    `VECRON__COORDINATION__KEY_PREFIX=vd-${tag}:`,
    `VECRON__SECURITY__ENCRYPTION_KEY=${randomBytes(32).toString('hex')}`,
    `VECRON__AUTH__KEYS=${JSON.stringify([{ kid: `k-${tag}`, private_key_pem: pem }])}`,
    `VECRON__AUTH__INITIAL_ADMIN_PASSWORD=${PASSWORD}`,
    'VECRON__SCHEDULER__POLL_INTERVAL_MS=250',
    'VECRON__WORKER__SHUTDOWN_GRACE_MS=5000',
    // The jobs call a target on the host's loopback, which the outbound policy refuses unless allowed.
    'VECRON__EXECUTORS__ALLOW_HOSTS=["127.0.0.1"]',
    '',
  ].join('\n'), { mode: 0o600 });

  const migrate = start('migrate', 'migrate');
  expect(await migrate.exited, migrate.output()).toBe(0);
  expect(migrate.output()).toMatch(/schema vecron up to date/);
  expect(migrate.output()).toMatch(/schema vecron-server up to date/);

  apiPort = await freePort();
  for (const name of ['api', 'scheduler-1', 'scheduler-2', 'worker-1', 'worker-2']) metricsPorts[name] = await freePort();
  for (const name of Object.keys(metricsPorts)) {
    start(name, name.replace(/-\d$/, ''), ['-e', `VECRON__METRICS__PORT=${metricsPorts[name]}`, ...(name === 'api' ? ['-e', `VECRON__API__PORT=${apiPort}`] : [])]);
  }
  await Promise.all(Object.entries(metricsPorts).map(([name, port]) => until(async () => {
    const c = containers.find((x) => x.name === `vecron-${name}-${tag}`)!;
    if (c.child.exitCode !== null) throw new Error(`${name} exited: ${c.output()}`);
    return fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false);
  }, 120_000, `${name} /ready`).catch((err: Error) => {
    const c = containers.find((x) => x.name === `vecron-${name}-${tag}`)!;
    throw new Error(`${err.message}; its output:\n${c.output().slice(-4_000)}`);
  })));
  const first = await call('POST', '/api/auth/login', { username: 'admin', password: PASSWORD }, '');
  token = (await call('POST', '/api/auth/password', { current_password: PASSWORD, new_password: 'Roles-Admin-Pass-2' }, first.body.token)).body.token;
});

afterAll(async () => {
  await removeContainers(containers.map((c) => c.name));
  target.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('api, scheduler ×2, worker ×2 containers on PostgreSQL, NATS and Redis', () => {
  it('a triggered job runs exactly once', async () => {
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/once?exec={{execution_id}}`;
    const job = await call('POST', '/api/jobs', { name: `once-${tag}`, steps: [{ id: 'hit', type: 'http', config: { method: 'POST', url } }] });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    const ex = (await call('POST', `/api/jobs/${job.body.id}/trigger`, {})).body.execution_id as string;
    const done = await until(async () => {
      const e = (await call('GET', `/api/executions/${ex}`)).body;
      return e.status === 'success' || e.status === 'failed' ? e : null;
    }, 60_000, 'the triggered execution');
    expect(done.status).toBe('success');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(hits.filter((h) => h === ex)).toEqual([ex]);
  });

  it('a per-second schedule fires once per second across two schedulers, each fire run once by one of two workers', async () => {
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}/tick?exec={{execution_id}}`;
    const job = await call('POST', '/api/jobs', { name: `tick-${tag}`, schedule: { type: 'cron', expression: '* * * * * ?', timezone: 'UTC' }, steps: [{ id: 'hit', type: 'http', config: { method: 'POST', url } }] });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    await new Promise((r) => setTimeout(r, 8_000));
    expect((await call('POST', `/api/jobs/${job.body.id}/disable`, {})).status).toBe(200);
    const items = await until(async () => {
      const list = (await call('GET', `/api/executions?job_id=${job.body.id}&limit=100`)).body.items as Array<{ id: string; status: string; scheduled_for: string; worker_id?: string }>;
      return list.length && list.every((e) => ['success', 'failed', 'dead_letter'].includes(e.status)) ? list : null;
    }, 60_000, 'every fired execution to finish');
    expect(items.length).toBeGreaterThanOrEqual(5);
    expect(items.every((e) => e.status === 'success')).toBe(true);
    const fires = items.map((e) => e.scheduled_for);
    expect(new Set(fires).size).toBe(fires.length);
    for (const e of items) expect(hits.filter((h) => h === e.id).length, e.id).toBe(1);
  });

  it('each role stops on SIGTERM with exit code 0', async () => {
    const running = containers.filter((c) => c.child.exitCode === null);
    expect(running).toHaveLength(5);
    await Promise.all(running.map((c) => podman(['kill', '--signal', 'TERM', c.name])));
    const codes = await Promise.all(running.map(async (c) => [c.name, await c.exited, c.output().slice(-500)] as const));
    expect(codes.filter(([, code]) => code !== 0)).toEqual([]);
  });
});
