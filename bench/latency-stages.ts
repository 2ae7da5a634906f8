/**
 * Where scenario b's add→start time goes, stage by stage:
 *
 *   node --conditions=vecron-source --import tsx bench/latency-stages.ts <db> [rate=100] [seconds=5] [distributed|postgres] [--no-worker] [--in-flight=N]
 *
 * The latency scenario's system (vecron-distributed: PostgreSQL storage, NATS queue, Redis; or
 * vecron-postgres: the PostgreSQL queue), adds at `rate` per second open loop in the same process
 * as a no-op worker (concurrency 100), with the storage, the queue and the pool wrapped to time each
 * stage of every execution. Prints, p50 / p99 ms: intended send → add called (the add loop's own
 * lateness), add → row inserted (committed), insert → publish called, publish → PubAck, publish →
 * delivery to the worker, delivery → claim called, the claim (committed), claim → handler start,
 * and intended → start (what scenario b reports). Then, over the timed window: the event-loop
 * delay, CPU ms per execution of this process, of PostgreSQL's backends for the database, of NATS
 * and of Redis, read and write system calls of this process per execution, and per statement
 * kind: statements, items (the group commit's batch size), time from send to result, and the
 * pool's connections busy and callers waiting when it was sent. `--no-worker` runs the adds alone
 * (the producer's share); `--in-flight=N` sets the group commit's batches in flight (default 2).
 * `--drain=N` measures scenario a's drain instead (bench/scenarios/throughput.ts): N executions are
 * added first (64 at a time, not timed), then the worker starts and the window runs until the last
 * one has finished; it adds the stages after the start (start → completion called, the completion
 * statement, → ack, → handler done), slot free → the next delivery (a freed slot waiting for the
 * queue's next message), what an execution is held (delivered → handler done; Little's law:
 * 100 / jobs per second), and the table scans of `vecron_executions` and `vecron_step_attempts`
 * (sequential rows read per execution). `--max-batch=N` sets the group commit's largest batch.
 * Reports only; docs/benchmarks.md explains the numbers.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';
import { createCronSystem, defineExecutor } from '@vecron/sdk';
import type { Queue, QueueHandler, Storage } from '@vecron/sdk';
import { databaseClock, postgresQueue, postgresStorage } from '@vecron/sdk/postgres';
import { natsQueue } from '@vecron/sdk/nats';
import { redisCoordination } from '@vecron/sdk/redis';
import {
  NATS_URL, PG_ADMIN_URL, REDIS_URL, cpuMsSince, loadAvg, percentile, pgBackendPids, pgUrl, pidsListeningOn, round, serverCpuMeter, sleep, withPg,
} from './lib/env.js';
import { dropNatsStreams } from './lib/nats-streams.js';
import { delRedisPrefix } from './lib/systems.js';

const args = process.argv.slice(2);
const [db, rateArg, secondsArg, modeArg] = args.filter((a) => !a.startsWith('--'));
if (!db) throw new Error('usage: latency-stages.ts <db> [rate] [seconds] [distributed|postgres] [--no-worker] [--in-flight=N] [--drain=N] [--max-batch=N]');
const rate = Number(rateArg ?? 100);
const seconds = Number(secondsArg ?? 5);
const mode = modeArg === 'postgres' ? 'postgres' : 'distributed';
const worker = !args.includes('--no-worker');
const option = (name: string): number | undefined => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? undefined : Number(a.split('=')[1]);
};
const inFlight = option('in-flight');
const maxBatch = option('max-batch');
const drain = option('drain');
const id = `st${Date.now().toString(36)}`;
const schema = `vb_${id}`;
const stream = `VB_${id.toUpperCase()}`;
const now = (): number => performance.now();

/** Per execution id: the instant each stage was reached (the first time). */
const marks = new Map<string, Record<string, number>>();
/** When each slot was freed (a handler done), not yet taken by a delivery; and free → delivered per delivery. */
const freed: number[] = [];
const freeToDelivered: number[] = [];
const mark = (executionId: string, stage: string): void => {
  let m = marks.get(executionId);
  if (!m) marks.set(executionId, (m = {}));
  m[stage] ??= now();
};

const noop = defineExecutor({
  type: 'noop',
  config: z.object({}).passthrough(),
  async execute(_config, ctx) {
    mark(ctx.executionId, 'start');
    return {};
  },
});

const storage = await postgresStorage({
  connectionString: pgUrl(db), schema, poolMax: 20, applicationName: 'vecron-bench',
  groupCommit: { ...(inFlight ? { maxInFlight: inFlight } : {}), ...(maxBatch ? { maxBatch } : {}) },
});

// Every statement through the pool: its kind, batch size (length of an array first parameter), time, and the pool's state when sent.
interface Sent { kind: string; items: number; at: number; ms: number; busy: number; waiting: number }
const sent: Sent[] = [];
function kindOf(text: string): string {
  if (text.startsWith('INSERT INTO vecron_executions')) return 'insert execution';
  if (text.includes('vecron_fencing_seq')) return 'claim with step start';
  if (text.includes('finished_at = i.x_now')) return 'step success with completion';
  if (text.includes('FROM vecron_variables')) return 'variables';
  return text.replace(/\s+/g, ' ').slice(0, 48);
}
const pool = storage.pool;
const query = pool.query.bind(pool) as (...a: unknown[]) => Promise<unknown>;
(pool as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = (...a: unknown[]) => {
  const config = a[0] as string | { text: string; values?: unknown[] };
  const text = typeof config === 'string' ? config : config.text;
  const first = ((typeof config === 'string' ? a[1] : config.values) as unknown[] | undefined)?.[0];
  const s: Sent = { kind: kindOf(text), items: Array.isArray(first) ? first.length : 1, at: now(), ms: NaN, busy: pool.totalCount - pool.idleCount, waiting: pool.waitingCount };
  // The hot statements name their executions first (one id, or an array of ids in a batch).
  const stageOf = ({ 'insert execution': 'insert', 'claim with step start': 'claim', 'step success with completion': 'complete' } as Record<string, string>)[s.kind];
  const ids = stageOf ? (Array.isArray(first) ? first : [first]) as string[] : [];
  for (const executionId of ids) mark(executionId, `${stageOf}Sent`);
  const p = query(...a);
  void p.then(() => {
    sent.push({ ...s, ms: now() - s.at });
    for (const executionId of ids) mark(executionId, `${stageOf}Result`);
  }, () => undefined);
  return p;
};

function observeStorage(s: Storage): void {
  const create = s.createExecution.bind(s);
  s.createExecution = async (e, at, o) => {
    const r = await create(e, at, o);
    mark(r.execution.id, 'inserted');
    return r;
  };
  const complete = s.completeWithStepSuccess.bind(s);
  s.completeWithStepSuccess = async (executionId, token, a) => {
    mark(executionId, 'completeCalled');
    const r = await complete(executionId, token, a);
    mark(executionId, 'completed');
    return r;
  };
  const claim = s.claimAndStartStep.bind(s);
  s.claimAndStartStep = async (executionId, a) => {
    mark(executionId, 'claimCalled');
    const r = await claim(executionId, a);
    mark(executionId, 'claimed');
    return r;
  };
}

function observeQueue(q: Queue): Queue {
  const publish = q.publish.bind(q);
  q.publish = async (executionId, o) => {
    mark(executionId, 'publishCalled');
    await publish(executionId, o);
    mark(executionId, 'pubAck');
  };
  const consume = q.consume.bind(q);
  q.consume = (h: QueueHandler, o) => consume((m) => {
    mark(m.executionId, 'delivered');
    const free = freed.shift();
    if (free !== undefined) freeToDelivered.push(now() - free);
    const ack = m.ack.bind(m);
    m.ack = () => (mark(m.executionId, 'ackCalled'), ack());
    const handled = h(m);
    void handled.finally(() => {
      mark(m.executionId, 'handled');
      freed.push(now());
    });
    return handled;
  }, o);
  return q;
}

observeStorage(storage);
const cron = createCronSystem({
  executors: [noop], storage, clock: await databaseClock(storage),
  ...(mode === 'postgres' ? {} : { coordination: redisCoordination({ url: REDIS_URL, keyPrefix: `vb:${id}:` }) }),
  queue: observeQueue(mode === 'postgres'
    ? postgresQueue({ pool: storage.pool, schema, ackWaitMs: 30_000 })
    : natsQueue({ servers: NATS_URL, stream, subject: `vb.${id}.work`, consumer: 'workers', ackWaitMs: 30_000, duplicateWindowMs: 10_000 })),
  pollIntervalMs: 100, dispatchIntervalMs: 1_000,
});
const job = await cron.jobs.create({ name: `bench-${id}`, triggers: { manual: true, scheduled: false }, max_retries: 0, steps: [{ id: 'noop', type: 'noop' }] });
let finished = 0;
let allFinished!: () => void;
const drained = new Promise<void>((r) => (allFinished = r));
if (drain) {
  // As scenario a's drain: the executions are added first, 64 at a time, not timed.
  let added = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (added < drain) {
      added += 1;
      await cron.trigger(job.id);
    }
  }));
  cron.on('execution.finished', () => void (++finished === drain && allFinished()));
} else {
  if (worker) await cron.start({ scheduler: false, worker: { concurrency: 100 } });
  await sleep(1_000); // as scenario b: workers connected and polling
}

const syscalls = (): { read: number; write: number } => {
  const io = readFileSync('/proc/self/io', 'utf8');
  return { read: Number(/syscr: (\d+)/.exec(io)?.[1] ?? NaN), write: Number(/syscw: (\d+)/.exec(io)?.[1] ?? NaN) };
};
const pgCpu = serverCpuMeter(() => pgBackendPids(PG_ADMIN_URL, db));
const natsCpu = serverCpuMeter(() => pidsListeningOn(NATS_URL));
const redisCpu = serverCpuMeter(() => pidsListeningOn(REDIS_URL));
await Promise.all([pgCpu.begin(), natsCpu.begin(), redisCpu.begin()]);
const load = loadAvg();
const io0 = syscalls();
const cpu0 = process.cpuUsage();
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();

const total = drain ?? Math.round(rate * seconds);
const t0 = now();
if (drain) {
  await cron.start({ scheduler: false, worker: { concurrency: 100 } });
  await drained;
}
const adds: Array<Promise<void>> = [];
for (let i = 0; !drain && i < total; i += 1) {
  const at = t0 + (i * 1000) / rate;
  const wait = at - now();
  if (wait > 1) await sleep(wait); // as scenario b
  const called = now();
  adds.push(cron.trigger(job.id).then(({ executionId }) => {
    mark(executionId, 'added');
    const m = marks.get(executionId)!;
    m.at = at;
    m.called = called;
  }));
}
await Promise.all(adds);
const started = (): number => [...marks.values()].filter((m) => m.at !== undefined && m.start !== undefined).length;
const deadline = now() + 30_000;
while (!drain && worker && started() < total && now() < deadline) await sleep(20);
eld.disable();
const clientMs = cpuMsSince(cpu0);
const io1 = syscalls();
const server = { pg: await pgCpu.end(), nats: await natsCpu.end(), redis: await redisCpu.end() };
const wallMs = now() - t0;
await cron.stop({ graceMs: 2_000 });
await sleep(1_500); // the backends' table counters reach pg_stat_user_tables
const scans = await withPg(pgUrl(db), async (c) => (await c.query<{ relname: string; seq_scan: string; seq_tup_read: string; idx_scan: string }>(
  'SELECT relname, seq_scan, seq_tup_read, idx_scan FROM pg_stat_user_tables WHERE schemaname = $1 AND relname IN ($2, $3)', [schema, 'vecron_executions', 'vecron_step_attempts'],
)).rows);
if (mode === 'distributed') {
  await dropNatsStreams([stream, `${stream}_DLQ`]);
  await delRedisPrefix(`vb:${id}:`);
}
await storage.pool.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);

const p50p99 = (xs: number[]): string => {
  xs.sort((x, y) => x - y);
  return `${round(percentile(xs, 50), 2)} / ${round(percentile(xs, 99), 2)}${drain ? ` mean ${round(xs.reduce((a, x) => a + x, 0) / xs.length, 2)}` : ''}`;
};
const stage = (from: string, to: string): string => {
  const xs: number[] = [];
  for (const m of marks.values()) if (m[from] !== undefined && m[to] !== undefined) xs.push(m[to]! - m[from]!);
  return `${p50p99(xs)} (${xs.length})`;
};
const perExecution = (x: number): number => round(x / total, 3);
const kinds = new Map<string, Sent[]>();
for (const s of sent) if (s.at >= t0) kinds.set(s.kind, [...(kinds.get(s.kind) ?? []), s]);

const drainStages = {
  'slot free → next delivery': `${p50p99(freeToDelivered)} (${freeToDelivered.length})`,
  'delivered → claim called': stage('delivered', 'claimCalled'),
  '  claim called → claim sent': stage('claimCalled', 'claimSent'),
  '  claim sent → its result': stage('claimSent', 'claimResult'),
  '  claim result → claimed': stage('claimResult', 'claimed'),
  'claimed → handler start': stage('claimed', 'start'),
  'start → completion called': stage('start', 'completeCalled'),
  '  completion called → sent': stage('completeCalled', 'completeSent'),
  '  completion sent → its result': stage('completeSent', 'completeResult'),
  '  completion result → completed': stage('completeResult', 'completed'),
  'completed → ack called': stage('completed', 'ackCalled'),
  'ack called → handler done': stage('ackCalled', 'handled'),
  'delivered → handler done (held)': stage('delivered', 'handled'),
};
const report = {
  mode, ...(drain ? { drain, jobsPerSec: round((drain / wallMs) * 1000, 0) } : { rate, seconds, worker }),
  groupCommit: { maxInFlight: inFlight ?? 2, maxBatch: maxBatch ?? 500 }, load, wallMs: round(wallMs, 0),
  stagesP50P99Ms: drain ? drainStages : {
    'intended send → add called': stage('at', 'called'),
    'add called → inserted (committed)': stage('called', 'inserted'),
    '  add called → insert sent': stage('called', 'insertSent'),
    '  insert sent → its result': stage('insertSent', 'insertResult'),
    '  insert result → inserted': stage('insertResult', 'inserted'),
    'inserted → publish called': stage('inserted', 'publishCalled'),
    'publish → PubAck': stage('publishCalled', 'pubAck'),
    'publish → delivered': stage('publishCalled', 'delivered'),
    'delivered → claim called': stage('delivered', 'claimCalled'),
    'claim called → claimed (committed)': stage('claimCalled', 'claimed'),
    '  claim called → claim sent': stage('claimCalled', 'claimSent'),
    '  claim sent → its result': stage('claimSent', 'claimResult'),
    '  claim result → claimed': stage('claimResult', 'claimed'),
    'claimed → handler start': stage('claimed', 'start'),
    'intended send → handler start': stage('at', 'start'),
  },
  eventLoopDelayMs: { p50: round(eld.percentile(50) / 1e6, 2), p99: round(eld.percentile(99) / 1e6, 2), max: round(eld.max / 1e6, 2) },
  cpuMsPerExecution: { client: perExecution(clientMs), postgres: perExecution(server.pg), nats: perExecution(server.nats), redis: perExecution(server.redis) },
  syscallsPerExecution: { read: perExecution(io1.read - io0.read), write: perExecution(io1.write - io0.write) },
  tableScans: Object.fromEntries(scans.map((r) => [r.relname, { seqScans: Number(r.seq_scan), seqRowsReadPerExecution: round(Number(r.seq_tup_read) / total, 1), indexScans: Number(r.idx_scan) }])),
  statementsPerExecution: perExecution(sent.filter((s) => s.at >= t0).length),
  statements: Object.fromEntries([...kinds].map(([k, ss]) => [k, {
    statements: ss.length,
    itemsPerStatement: round(ss.reduce((a, s) => a + s.items, 0) / ss.length, 1),
    msP50P99: p50p99(ss.map((s) => s.ms)),
    poolBusyMean: round(ss.reduce((a, s) => a + s.busy, 0) / ss.length, 1),
    poolWaitingMax: Math.max(...ss.map((s) => s.waiting)),
  }])),
};
process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
process.exit(0);
