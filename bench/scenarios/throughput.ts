/**
 * Scenario a: end-to-end no-op throughput.
 * - drain: N jobs are added first (not timed), then workers start; timed until the last
 *   completion is durable.
 * - add-while-processing: workers run; N single adds with 100 in flight; timed from the first add
 *   to the last durable completion.
 * Reports jobs/s, client CPU ms per job (this process: producer + workers), server CPU ms per job
 * (PostgreSQL backends of the benchmark database, Redis, NATS), PostgreSQL commits per job.
 */
import {
  NATS_URL, cpuMsSince, pgBackendPids, pgUrl, pidsOf, pool, round, serverCpuMeter, xactCommits, PG_ADMIN_URL,
} from '../lib/env.js';
import { createSystem } from '../lib/systems.js';
import type { SystemName } from '../lib/systems.js';

export interface ThroughputArgs {
  system: SystemName;
  mode: 'drain' | 'add-while-processing';
  jobs: number;
  db: string;
  id: string;
}

export async function throughput(a: ThroughputArgs): Promise<Record<string, unknown>> {
  void NATS_URL;
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

  const pgCpu = serverCpuMeter(() => (sys.usesPg ? pgBackendPids(PG_ADMIN_URL, a.db) : []));
  const otherCpu = serverCpuMeter(() => [...pidsOf('redis-server'), ...(a.system === 'vecron-distributed' ? pidsOf('nats-server') : [])]);
  const commits0 = sys.usesPg ? await xactCommits(pgUrl(a.db), a.db) : 0;
  await pgCpu.begin();
  await otherCpu.begin();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sys.start(hooks);
  if (a.mode === 'add-while-processing') await pool(a.jobs, 100, async () => void (await sys.add()));
  await all;
  if (sys.settle) await sys.settle(a.jobs);
  const wallMs = performance.now() - t0;
  const clientCpu = cpuMsSince(cpu0);
  const pgServerCpu = await pgCpu.end();
  const otherServerCpu = await otherCpu.end();
  await sys.close();
  const commits = sys.usesPg ? (await xactCommits(pgUrl(a.db), a.db)) - commits0 : null;
  return {
    jobsPerSec: round((a.jobs / wallMs) * 1000, 0),
    wallMs: round(wallMs, 0),
    clientCpuMsPerJob: round(clientCpu / a.jobs, 3),
    pgCpuMsPerJob: sys.usesPg ? round(pgServerCpu / a.jobs, 3) : null,
    redisNatsCpuMsPerJob: round(otherServerCpu / a.jobs, 3),
    commitsPerJob: commits === null ? null : round(commits / a.jobs, 2),
  };
}
