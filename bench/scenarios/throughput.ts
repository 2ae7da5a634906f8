/**
 * Scenario a: end-to-end no-op throughput.
 * - drain: N jobs are added first (not timed), then workers start; timed until the last
 *   completion is durable.
 * - add-while-processing: workers run; N single adds with 100 in flight; timed from the first add
 *   to the last durable completion.
 * With `workers: 0` (default) one process produces and works. With `workers: k` this process
 * produces (vecron: and runs the scheduler role) and k child processes work (`throughput-worker`),
 * each reporting its own CPU, so the cost per job is split by process kind.
 * Reports jobs/s, client CPU ms per job (all processes; per kind when multi-process), server CPU
 * ms per job (PostgreSQL backends of the benchmark database; Redis and NATS: the benchmark's own
 * servers, found by port), PostgreSQL commits per job.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  NATS_URL, REDIS_URL, cpuMsSince, pgBackendPids, pgUrl, pidsListeningOn, pool, round, serverCpuMeter, withPg, xactCommits, PG_ADMIN_URL,
} from '../lib/env.js';

const walLsn = (): Promise<string> => withPg(PG_ADMIN_URL, async (c) => (await c.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l);
import { createSystem } from '../lib/systems.js';
import type { SystemName } from '../lib/systems.js';

export interface ThroughputArgs {
  system: SystemName;
  mode: 'drain' | 'add-while-processing';
  jobs: number;
  db: string;
  id: string;
  /** Worker processes besides this (producing) one; 0 = this process works too. @default 0 */
  workers?: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));

interface Child {
  proc: ChildProcess;
  done: number;
  ready: Promise<void>;
  result: Promise<{ cpuMs: number }>;
}

/** Starts one worker process of a multi-process run (scenario `throughput-worker`). */
function workerProcess(a: ThroughputArgs): Child {
  const proc = spawn(process.execPath, ['--conditions=vecron-source', '--import', 'tsx', path.join(here, '..', 'scenario.ts'), 'throughput-worker', JSON.stringify({ ...a, workers: 0 })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const child = { proc, done: 0 } as Child;
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4_000)));
  const lines = createInterface({ input: proc.stdout! });
  let onReady!: () => void;
  child.ready = new Promise<void>((r) => (onReady = r));
  child.result = new Promise((resolve, reject) => {
    lines.on('line', (l) => {
      if (l === 'READY') onReady();
      else if (l.startsWith('DONE ')) child.done = Number(l.slice(5));
      else if (l.startsWith('RESULT ')) resolve(JSON.parse(l.slice(7)) as { cpuMs: number });
    });
    proc.on('exit', (code) => reject(new Error(`worker process exited ${code}: ${err.split('\n').slice(-6).join('\n')}`)));
  });
  child.result.catch(() => undefined);
  return child;
}

/** The worker side of a multi-process run: attach, wait for "go", work, report progress and CPU. */
export async function throughputWorker(a: ThroughputArgs): Promise<Record<string, unknown>> {
  const sys = await createSystem(a.system, { db: a.db, id: a.id, attach: true });
  const seen = new Set<string>();
  let reported = 0;
  const progress = setInterval(() => {
    if (seen.size !== reported) process.stdout.write(`DONE ${(reported = seen.size)}\n`);
  }, 20);
  const lines = createInterface({ input: process.stdin });
  const said = (word: string): Promise<void> => new Promise((r) => lines.on('line', (l) => l === word && r()));
  const go = said('go');
  const stop = said('stop');
  process.stdout.write('READY\n');
  await go;
  const cpu0 = process.cpuUsage();
  await sys.start({ onStart: () => undefined, onDone: (id) => void seen.add(id) });
  await stop;
  const cpuMs = cpuMsSince(cpu0);
  clearInterval(progress);
  await sys.close();
  return { cpuMs, done: seen.size };
}

export async function throughput(a: ThroughputArgs): Promise<Record<string, unknown>> {
  const workers = a.workers ?? 0;
  const sys = await createSystem(a.system, { db: a.db, id: a.id });
  let done = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const seen = new Set<string>();
  const hooks = {
    onStart: () => undefined,
    onDone: (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      done += 1;
      if (done === a.jobs) resolveAll();
    },
  };
  if (a.mode === 'drain') await sys.addMany(a.jobs);
  const children = Array.from({ length: workers }, () => workerProcess(a));
  await Promise.all(children.map((c) => Promise.race([c.ready, c.result.then(() => undefined)])));

  const pgCpu = serverCpuMeter(() => (sys.usesPg ? pgBackendPids(PG_ADMIN_URL, a.db) : []));
  const usesNats = a.system === 'vecron-distributed';
  const usesRedis = a.system === 'vecron-distributed' || a.system === 'bullmq';
  const otherCpu = serverCpuMeter(() => [...(usesRedis ? pidsListeningOn(REDIS_URL) : []), ...(usesNats ? pidsListeningOn(NATS_URL) : [])]);
  const commits0 = sys.usesPg ? await xactCommits(pgUrl(a.db), a.db) : 0;
  const wal0 = sys.usesPg ? await walLsn() : null;
  await pgCpu.begin();
  await otherCpu.begin();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (workers === 0) {
    await sys.start(hooks);
  } else {
    await sys.start(hooks, { worker: false });
    for (const c of children) c.proc.stdin!.write('go\n');
  }
  let progress: NodeJS.Timeout | null = null;
  if (workers > 0) {
    progress = setInterval(() => {
      if (children.reduce((n, c) => n + c.done, 0) >= a.jobs) resolveAll();
    }, 10);
  }
  if (a.mode === 'add-while-processing') await pool(a.jobs, 100, async () => void (await sys.add()));
  await all;
  if (progress) clearInterval(progress);
  if (sys.settle) await sys.settle(a.jobs);
  const wallMs = performance.now() - t0;
  const producerCpu = cpuMsSince(cpu0);
  // Server CPU before the worker processes leave: their PostgreSQL backends end with them.
  const pgServerCpu = await pgCpu.end();
  const otherServerCpu = await otherCpu.end();
  for (const c of children) c.proc.stdin!.write('stop\n');
  const workerCpus = (await Promise.all(children.map((c) => c.result))).map((r) => r.cpuMs);
  await sys.close();
  const commits = sys.usesPg ? (await xactCommits(pgUrl(a.db), a.db)) - commits0 : null;
  // WAL is the whole server's: the benchmark's server serves only the benchmark while it runs.
  const walBytes = wal0 === null ? null : await withPg(PG_ADMIN_URL, async (c) => Number((await c.query<{ b: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::text AS b', [wal0])).rows[0]?.b));
  const workerCpu = workerCpus.reduce((x, y) => x + y, 0);
  return {
    jobsPerSec: round((a.jobs / wallMs) * 1000, 0),
    wallMs: round(wallMs, 0),
    clientCpuMsPerJob: round((producerCpu + workerCpu) / a.jobs, 3),
    ...(workers > 0 ? { producerCpuMsPerJob: round(producerCpu / a.jobs, 3), workerCpuMsPerJob: round(workerCpu / a.jobs, 3) } : {}),
    pgCpuMsPerJob: sys.usesPg ? round(pgServerCpu / a.jobs, 3) : null,
    redisNatsCpuMsPerJob: round(otherServerCpu / a.jobs, 3),
    totalCpuMsPerJob: round((producerCpu + workerCpu + (sys.usesPg ? pgServerCpu : 0) + otherServerCpu) / a.jobs, 3),
    commitsPerJob: commits === null ? null : round(commits / a.jobs, 2),
    walBytesPerJob: walBytes === null ? null : round(walBytes / a.jobs, 0),
  };
}
