import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@vecron/test-servers/provision';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { exportedFamilies, isExported, metricsInExpr } from './metric-names.js';
import { podman, removeContainers, runContainer, until } from './podman.js';
import type { RunningContainer } from './podman.js';

/**
 * The image as an operator first meets it: `vecron all` on the embedded store, in a read-only,
 * capability-less container as its non-root user. Host network, so the container reaches the
 * test's HTTP target on loopback and the test reaches the container's ports.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const compose = path.resolve(here, '../compose');
const image = inject('vecronImage');
const NAME = `vecron-all-${process.pid}`;

let c: RunningContainer;
let apiPort: number;
let metricsPort: number;
let hits = 0;
let startedToHealthMs = 0;
const target = http.createServer((_q, res) => {
  hits += 1;
  res.setHeader('content-type', 'application/json');
  res.end('{"rate":25400}');
});

async function call(method: string, p: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
  const res = await fetch(`http://127.0.0.1:${apiPort}${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  [apiPort, metricsPort] = [await freePort(), await freePort()];
  const t0 = Date.now();
  c = runContainer(NAME, [
    '--network=host', '--read-only', '--tmpfs', '/tmp', '--cap-drop=ALL', '--security-opt', 'no-new-privileges',
    '-e', `VECRON__API__PORT=${apiPort}`, '-e', `VECRON__METRICS__PORT=${metricsPort}`, '-e', 'VECRON__SCHEDULER__POLL_INTERVAL_MS=200', '-e', 'VECRON__EXECUTORS__ALLOW_HOSTS=["127.0.0.1"]',
  ], ['all']);
  await until(async () => (await fetch(`http://127.0.0.1:${metricsPort}/health`).then((r) => r.status === 200, () => false)) || c.child.exitCode !== null, 120_000, '/health');
  expect(c.child.exitCode, c.output()).toBeNull();
  startedToHealthMs = Date.now() - t0;
  process.stderr.write(`deploy: container start → /health ${startedToHealthMs} ms; image ${(image.sizeBytes / 1e6).toFixed(0)} MB\n`);
});
afterAll(async () => {
  await removeContainers([NAME]);
  target.close();
});

describe('the vecron image', () => {
  it('is labelled, runs as uid 1000 and carries a HEALTHCHECK that passes', async () => {
    const [inspected] = JSON.parse(await podman(['image', 'inspect', image.name])) as Array<{ Config: { User: string; Labels: Record<string, string>; Entrypoint: string[]; Cmd: string[] }; Healthcheck?: { Test: string[] } }>;
    const cfg = inspected!.Config;
    expect(cfg.User).toBe('1000:1000');
    expect(cfg.Entrypoint).toEqual(['vecron']);
    expect(cfg.Cmd).toEqual(['all']);
    for (const l of ['title', 'description', 'version', 'revision', 'licenses', 'source']) expect(cfg.Labels[`org.opencontainers.image.${l}`], l).toBeTruthy();
    expect(inspected!.Healthcheck?.Test).toEqual(['CMD', 'vecron', 'healthcheck']);
    expect((await podman(['exec', NAME, 'node', '-e', 'process.stdout.write(`${process.getuid()}:${process.getgid()}`)'])).trim()).toBe('1000:1000');
    await podman(['healthcheck', 'run', NAME]);
    // The read-only root: nothing outside the data volume and /tmp can be written.
    await expect(podman(['exec', NAME, 'node', '-e', 'require("fs").writeFileSync("/opt/vecron/x", "x")'])).rejects.toThrow(/EROFS|read-only/);
  });

  it('refuses a default password at sign-in; the one-time password works once and must be changed; a job runs', async () => {
    for (const password of ['admin', 'password', 'vecron', 'changeme']) {
      expect((await call('POST', '/api/auth/login', { username: 'admin', password })).status, password).toBe(401);
    }
    const oneTime = /one-time password:\s+(\S+)/.exec(c.output())?.[1];
    expect(oneTime, c.output()).toBeDefined();
    const first = await call('POST', '/api/auth/login', { username: 'admin', password: oneTime });
    expect(first.status).toBe(200);
    expect(first.body.must_change_password).toBe(true);
    expect((await call('GET', '/api/jobs', undefined, first.body.token)).status).toBe(403);
    const token = (await call('POST', '/api/auth/password', { current_password: oneTime, new_password: 'Container-Admin-Pass-1' }, first.body.token)).body.token as string;
    const job = await call('POST', '/api/jobs', {
      name: 'container-job',
      steps: [{ id: 'fetch', type: 'http', config: { method: 'GET', url: `http://127.0.0.1:${(target.address() as AddressInfo).port}/rates` } }],
    }, token);
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    const trig = await call('POST', `/api/jobs/${job.body.id}/trigger`, {}, token);
    expect(trig.status).toBe(202);
    const done = await until(async () => {
      const e = (await call('GET', `/api/executions/${trig.body.execution_id}`, undefined, token)).body;
      return ['success', 'failed', 'dead_letter'].includes(e.status) ? e : null;
    }, 60_000, 'the execution to finish');
    expect(done.status).toBe('success');
    expect(hits).toBe(1);
  });

  it('the Grafana dashboard and the alert rules read only metrics this server exports, and show every vecron metric', async () => {
    const exposition = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const families = exportedFamilies(exposition);
    expect(families.size).toBeGreaterThan(10);
    const dashboard = JSON.parse(readFileSync(path.join(compose, 'grafana/dashboards/vecron.json'), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    const rules = parseYaml(readFileSync(path.join(compose, 'prometheus/vecron-alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
      ...rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
    ];
    const unknown = exprs.flatMap(({ where, expr }) => metricsInExpr(expr).filter((m) => !isExported(m, families)).map((m) => `${where}: ${m}`));
    expect(unknown).toEqual([]);
    const shown = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsInExpr(t.expr))).map((m) => m.replace(/_(bucket|sum|count)$/, '')));
    const vecronOwn = [...families.keys()].filter((f) => !f.startsWith('vecron_'));
    expect(vecronOwn.filter((f) => !shown.has(f))).toEqual([]);
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    await podman(['kill', '--signal', 'TERM', NAME]);
    expect(await c.exited, c.output()).toBe(0);
    expect(c.output()).toContain('vecron stopped');
  });
});
