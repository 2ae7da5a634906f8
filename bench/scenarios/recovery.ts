/**
 * Scenario f: recovery after `kill -9` of a worker mid-job (vecron distributed).
 * A child worker process takes `k` executions of a job whose step sleeps `stepMs`; once it holds
 * all of them (running, its lease) the parent starts a worker of its own and kills the child with
 * SIGKILL. Measured: kill → last execution finished; duplicates = executions whose step succeeded
 * more than once or that finished other than `success`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../lib/env.js';
import { vecronRig } from '../lib/vecron-distributed.js';

export interface RecoveryArgs { db: string; id: string; k: number; stepMs: number; leaseMs: number }

const here = path.dirname(fileURLToPath(import.meta.url));

/** The child: a worker on the same schema, stream and prefix; prints READY. */
export async function recoveryWorker(a: RecoveryArgs): Promise<never> {
  const rig = await vecronRig({ db: a.db, id: a.id, leaseMs: a.leaseMs });
  await rig.cron.start({ scheduler: false, worker: { concurrency: 100 } });
  process.stdout.write('READY\n');
  await new Promise(() => undefined);
  throw new Error('unreachable');
}

export async function recovery(a: RecoveryArgs): Promise<Record<string, unknown>> {
  const rig = await vecronRig({ db: a.db, id: a.id, leaseMs: a.leaseMs });
  const sql = rig.storage.sql;
  try {
    const job = await rig.cron.jobs.create({ name: 'recovery', max_retries: 0, steps: [{ id: 's', type: 'sleep', config: { ms: a.stepMs } }] });
    const child = spawn(process.execPath, ['--conditions=vecron-source', '--import', 'tsx', path.join(here, '..', 'scenario.ts'), 'recovery-worker', JSON.stringify(a)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
      child.on('exit', (c) => reject(new Error(`recovery worker exited with ${c}`)));
    });
    const ids: string[] = [];
    for (let i = 0; i < a.k; i += 1) ids.push((await rig.cron.trigger(job.id)).executionId);
    const owned = async (): Promise<number> =>
      (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM vecron_executions WHERE status = 'running' AND lease_owner LIKE $1`, [`%:${child.pid}:%`])).rows[0]!.n;
    const until = Date.now() + 30_000;
    while ((await owned()) < a.k && Date.now() < until) await sleep(20);
    const held = await owned();
    await sleep(Math.min(500, a.stepMs / 4)); // mid-step
    await rig.cron.start({ scheduler: false, worker: { concurrency: 100 } });
    const tKill = Date.now();
    child.kill('SIGKILL');
    let finished = 0;
    const deadline = tKill + a.leaseMs + 60_000;
    while (Date.now() < deadline) {
      finished = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM vecron_executions WHERE finished_at IS NOT NULL`)).rows[0]!.n;
      if (finished >= a.k) break;
      await sleep(50);
    }
    const recoveredMs = Date.now() - tKill;
    const { rows: dup } = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT execution_id FROM vecron_step_attempts_all WHERE status = 'succeeded' GROUP BY execution_id HAVING count(*) > 1) d`);
    const { rows: bad } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM vecron_executions WHERE status <> 'success'`);
    const { rows: rerun } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM vecron_step_attempts_all WHERE status = 'abandoned'`);
    return {
      executions: a.k, heldByKilledWorker: held, finished, recoveredMs: finished >= a.k ? recoveredMs : null,
      duplicateSuccesses: dup[0]!.n, notSuccess: bad[0]!.n, interruptedStepsReRun: rerun[0]!.n, leaseMs: a.leaseMs, stepMs: a.stepMs,
    };
  } finally {
    await rig.close();
  }
}
