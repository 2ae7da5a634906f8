/** The results document (JSON) and its Markdown rendering. */
import type { ProfileSummary } from './profile.js';

export interface Stat { median: number; min: number; max: number }

export interface Measured {
  label: string;
  scenario: string;
  args: Record<string, unknown>;
  runs: number;
  samples: Array<Record<string, unknown>>;
  stats: Record<string, Stat>;
  errors: string[];
  load1: Stat;
}

export interface Report {
  startedAt: string;
  finishedAt: string;
  mode: 'quick' | 'full';
  runsPerScenario: number;
  machine: { cpus: number; cpuModel: string; memGb: number; node: string; loadBefore: number[]; loadAfter: number[] };
  plan: Record<string, unknown>;
  results: Measured[];
  profiles: Array<{ name: string; top: ProfileSummary }>;
}

const fmt = (s: Stat | undefined): string => {
  if (!s) return '–';
  const n = (x: number): string => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : String(Math.round(x * 1000) / 1000));
  return s.min === s.max ? n(s.median) : `${n(s.median)} (${n(s.min)}–${n(s.max)})`;
};

function table(rows: Measured[], cols: Array<[string, string]>): string {
  const head = `| case | runs | ${cols.map((c) => c[1]).join(' | ')} | load 1m |`;
  const sep = `|${'---|'.repeat(cols.length + 3)}`;
  const body = rows.map((r) => `| ${r.label}${r.errors.length ? ` (${r.errors.length} failed)` : ''} | ${r.runs} | ${cols.map((c) => fmt(r.stats[c[0]])).join(' | ')} | ${fmt(r.load1)} |`);
  return [head, sep, ...body].join('\n');
}

function ratio(a: Measured | undefined, b: Measured | undefined, key: string, higherIsBetter = true): string {
  const x = a?.stats[key]?.median;
  const y = b?.stats[key]?.median;
  if (!x || !y) return '–';
  return `${(Math.round((higherIsBetter ? x / y : y / x) * 1000) / 1000).toString()}×`;
}

export function renderMarkdown(r: Report): string {
  const by = (s: string): Measured[] => r.results.filter((m) => m.scenario === s);
  const find = (prefix: string): Measured | undefined => r.results.find((m) => m.label.startsWith(prefix));
  const out: string[] = [];
  out.push(`# vecron benchmarks — ${r.startedAt.slice(0, 10)} (${r.mode})`, '');
  out.push(`${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memGb} GB, Node ${r.machine.node}; load average before ${r.machine.loadBefore.join(' / ')}, after ${r.machine.loadAfter.join(' / ')}. ` +
    `${r.runsPerScenario} run(s) per case: median (min–max). Started ${r.startedAt}, finished ${r.finishedAt}. Sizes: \`${JSON.stringify(r.plan)}\`.`, '');
  const ceil = by('ceilings')[0];
  if (ceil) {
    out.push('## Ceilings (same run, same servers)', '');
    out.push('| measure | per second |', '|---|---|');
    for (const [k, v] of Object.entries(ceil.samples[0] ?? {})) out.push(`| ${k} | ${typeof v === 'number' ? v.toLocaleString('en-US') : String(v)} |`);
    out.push('');
  }
  const a = by('throughput');
  if (a.length) {
    out.push('## a. End-to-end no-op throughput', '');
    const cols: Array<[string, string]> = [['jobsPerSec', 'jobs/s'], ['clientCpuMsPerJob', 'client CPU ms/job'], ['producerCpuMsPerJob', 'producer process'], ['workerCpuMsPerJob', 'worker processes'], ['pgCpuMsPerJob', 'PG CPU ms/job'], ['redisNatsCpuMsPerJob', 'Redis+NATS CPU ms/job'], ['totalCpuMsPerJob', 'total CPU ms/job'], ['commitsPerJob', 'PG commits/job'], ['walBytesPerJob', 'WAL bytes/job']];
    out.push('CPU per job is the measure to compare on a loaded machine: jobs/s moves with the other load, CPU per job much less.', '');
    out.push(table(a, cols), '');
    for (const prefix of ['a', 'a3']) {
      for (const mode of ['drain', 'add-while-processing']) {
        const bull = find(`${prefix} ${mode} bullmq`);
        const boss = find(`${prefix} ${mode} pg-boss`);
        for (const v of ['vecron-distributed', 'vecron-postgres']) {
          const m = find(`${prefix} ${mode} ${v}`);
          if (!m) continue;
          out.push(`- ${prefix} ${mode}, ${v}: jobs/s / BullMQ = ${ratio(m, bull, 'jobsPerSec')}, / pg-boss = ${ratio(m, boss, 'jobsPerSec')}; total CPU per job vs BullMQ = ${ratio(m, bull, 'totalCpuMsPerJob', false)} (higher is cheaper)`);
        }
      }
    }
    out.push('');
  }
  const b = by('latency');
  if (b.length) {
    out.push('## b. Add→start latency, open loop (ms)', '');
    out.push(table(b, [['p50Ms', 'p50'], ['p99Ms', 'p99'], ['p999Ms', 'p99.9'], ['maxMs', 'max'], ['notStarted', 'not started in time']]), '');
  }
  const c = by('lateness');
  if (c.length) {
    out.push('## c. Cron lateness, all schedules due in the same second (ms after the due instant)', '');
    out.push(table(c, [['p50Ms', 'p50 start'], ['p99Ms', 'p99 start'], ['maxMs', 'max start'], ['lastFireCreatedMs', 'last execution created'], ['lastStartedAfterMs', 'last started'], ['notStarted', 'not started']]), '');
  }
  const d = by('tick-cost');
  if (d.length) {
    out.push('## d. Scheduler tick cost, 1 % of schedules due (per tick)', '');
    out.push(table(d, [['fired', 'fired'], ['clientCpuMs', 'scheduler CPU ms'], ['pgCpuMs', 'PG CPU ms'], ['wallMs', 'wall ms'], ['rowsRead', 'rows read'], ['schedulerUsPerFired', 'scheduler CPU µs per fired schedule'], ['cpuUsPerFired', 'scheduler + PG CPU µs per fired schedule']]), '');
  }
  const e = by('memory');
  if (e.length) {
    out.push('## e. Memory per 10k schedules', '');
    const s = (k: string): number[] => e[0]!.samples.map((x) => Number((k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)?.[p], x)) ?? NaN));
    const mb = (xs: number[]): string => xs.map((x) => (x / 2 ** 20).toFixed(1)).join(' / ');
    out.push('| system | store | MB per run | process RSS delta MB per run |', '|---|---|---|---|');
    out.push(`| vecron distributed | PostgreSQL tables + indexes | ${mb(s('vecron.pgBytes'))} | ${mb(s('vecron.rssBytes'))} (scheduler + worker process) |`);
    out.push(`| BullMQ 6 job schedulers | Redis used_memory | ${mb(s('bullmq.redisBytes'))} | ${mb(s('bullmq.rssBytes'))} (producer process) |`, '');
  }
  const f = by('recovery');
  if (f.length) {
    out.push('## f. Recovery after kill -9 of a worker mid-job', '');
    out.push(table(f, [['heldByKilledWorker', 'held by the killed worker'], ['recoveredMs', 'kill → last finished ms'], ['duplicateSuccesses', 'duplicate successes'], ['notSuccess', 'not success'], ['interruptedStepsReRun', 'interrupted steps re-run']]), '');
  }
  const g = by('startup');
  if (g.length) {
    out.push('## g. Start-up and idle memory (the embedded default next to BullMQ and pg-boss)', '');
    out.push('Each run is a new process; `start` is `createCronSystem(…).start()` / Queue+Worker+QueueEvents ready / `boss.start()`, `first job` adds the time until one no-op job has run, RSS is measured 2.5 s after it with a GC. Targets (issue 12): vecron `start` ≤ 500 ms and idle RSS ≤ 200 MiB with a data folder.', '');
    out.push(table(g, [['importMs', 'import ms'], ['startMs', 'start ms'], ['firstJobMs', 'first job ms'], ['rssMiB', 'idle RSS MiB'], ['addedRssMiB', 'RSS added MiB'], ['peakRssMiB', 'peak RSS MiB']]), '');
    out.push('`RSS added` is the idle RSS minus the harness process before the system was imported (node, tsx and the scenario: the `baseRssMiB` of the JSON).', '');
  }
  const errs = r.results.filter((m) => m.errors.length);
  if (errs.length) {
    out.push('## Failed runs', '');
    for (const m of errs) for (const x of m.errors) out.push(`- ${m.label}: \`${x.split('\n')[0]!.slice(0, 300)}\``);
    out.push('');
  }
  for (const p of r.profiles) {
    out.push(`## Profile ${p.name} (${p.top.totalMs} ms busy)`, '');
    out.push(`Areas: ${p.top.areas.map((x) => `${x.area} ${x.pct} %`).join(', ')}`, '');
    out.push('| function (self time) | ms | % |', '|---|---|---|');
    for (const fn of p.top.functions) out.push(`| \`${fn.fn}\` | ${fn.ms} | ${fn.pct} |`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
