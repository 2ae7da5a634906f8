/**
 * `pnpm bench [--quick] [--only=a,b,c,d,e,f,g,ceilings] [--runs=N] [--profile]`
 *
 * Runs the ceilings and scenarios a–f of issue 7, each run in its own process, in a database of
 * its own (dropped at the end; every run also has its own schema, NATS stream and Redis prefix),
 * and writes `bench/results/<date>[-quick].json` and `.md`. Reports only: nothing here fails on a
 * slow number. `--profile` writes V8 CPU profiles of one vecron run of a, c and d to
 * `bench/results/profiles/` and summarises their hottest functions.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PG_ADMIN_URL, loadAvg, median, round, shortId, withPg } from './lib/env.js';
import { summariseProfile } from './lib/profile.js';
import { renderMarkdown } from './lib/report.js';
import type { Measured, Report } from './lib/report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const profile = argv.includes('--profile');
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? ['ceilings', 'a', 'b', 'c', 'd', 'e', 'f', 'g'];
// `a3` alone runs only the multi-process rows of a (they also run with `a`).
const runs = Number(argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? (quick ? 1 : 5));

/** Sizes; the full run caps what this machine cannot do in ~30 min (see docs/benchmarks.md). */
const plan = quick
  ? {
      aVecron: 3_000, aPeers: 3_000, aDrain: 3_000, aEmbeddedDrain: false, bRates: [[100, 2], [1_000, 1]] as const, bEmbedded: false, c: [1_000], cOnce: [] as number[],
      d: [10_000, 100_000, 1_000_000], dTicks: 5, flushWaitMs: 2_000, fK: 10, fLeaseMs: 5_000, ceilSeconds: 1, ceilQueueRows: 300_000,
    }
  : {
      aVecron: 10_000, aPeers: 10_000, aDrain: 100_000, aEmbeddedDrain: true, bRates: [[100, 5], [1_000, 2]] as const, bEmbedded: false, c: [1_000, 10_000], cOnce: [100_000],
      d: [10_000, 100_000, 1_000_000], dTicks: 3, flushWaitMs: 10_500, fK: 20, fLeaseMs: 10_000, ceilSeconds: 5, ceilQueueRows: 2_000_000,
    };

const runId = shortId();
const db = `vecron_bench_${runId}`;
const started = new Date();
const profileDir = path.join(here, 'results', 'profiles');

function log(msg: string): void {
  process.stderr.write(`[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0)}s] ${msg}\n`);
}

/** Runs one scenario run in a child process; resolves with its RESULT object. */
function child(scenario: string, args: Record<string, unknown>, cpuProf?: string): Promise<Record<string, unknown>> {
  const nodeArgs = ['--conditions=vecron-source', '--import', 'tsx', '--expose-gc'];
  // One file per thread (tsx's loader runs in a worker thread): a folder per profile, the main thread's is the largest.
  if (cpuProf) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, cpuProf)}`);
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...nodeArgs, path.join(here, 'scenario.ts'), scenario, JSON.stringify({ db, id: shortId(), ...args })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as Record<string, unknown>);
      else reject(new Error(`${scenario} ${JSON.stringify(args)} exited ${code}: ${err.split('\n').filter((l) => !/MaxListeners|trace-warnings/.test(l)).slice(-8).join('\n')}`));
    });
  });
}

/** `n` runs of one configuration; numeric fields summarised as median and min–max. */
async function measure(label: string, scenario: string, args: Record<string, unknown>, n = runs): Promise<Measured> {
  const samples: Array<Record<string, unknown>> = [];
  const errors: string[] = [];
  const loads: number[] = [];
  for (let i = 0; i < n; i += 1) {
    log(`${label} run ${i + 1}/${n}`);
    try {
      samples.push(await child(scenario, args));
    } catch (e) {
      errors.push((e as Error).message);
      log(`  failed: ${(e as Error).message.split('\n')[0]}`);
    }
    loads.push(os.loadavg()[0]!);
  }
  const stats: Measured['stats'] = {};
  const keys = new Set(samples.flatMap((s) => Object.keys(s)));
  for (const k of keys) {
    const xs = samples.map((s) => s[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (xs.length) stats[k] = { median: round(median(xs), 3), min: Math.min(...xs), max: Math.max(...xs) };
  }
  return { label, scenario, args, runs: samples.length, samples, stats, errors, load1: { median: round(median(loads)), min: Math.min(...loads), max: Math.max(...loads) } };
}

async function main(): Promise<void> {
  log(`database ${db}, ${quick ? 'quick' : 'full'}, ${runs} run(s) per scenario, load ${loadAvg().join(' ')}`);
  await withPg(PG_ADMIN_URL, (c) => c.query(`CREATE DATABASE ${db}`));
  const report: Report = {
    startedAt: started.toISOString(), finishedAt: '', mode: quick ? 'quick' : 'full', runsPerScenario: runs,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', memGb: round(os.totalmem() / 2 ** 30, 1), node: process.version, loadBefore: loadAvg(), loadAfter: [] },
    plan, results: [], profiles: [],
  };
  try {
    if (only.includes('ceilings')) report.results.push(await measure('ceilings', 'ceilings', { seconds: plan.ceilSeconds, queueRows: plan.ceilQueueRows }, 1));
    if (only.includes('a')) {
      for (const mode of ['drain', 'add-while-processing'] as const) {
        for (const system of ['vecron-distributed', 'vecron-postgres', 'vecron-embedded', 'bullmq', 'pg-boss'] as const) {
          if (system === 'vecron-embedded' && mode === 'drain' && !plan.aEmbeddedDrain) continue;
          // The drain of the issue is 100k jobs; the embedded store drains 10k (100k would take ~4 min a run).
          const jobs = mode === 'drain' && system !== 'vecron-embedded' ? plan.aDrain : system.startsWith('vecron') ? plan.aVecron : plan.aPeers;
          report.results.push(await measure(`a ${mode} ${system} (${jobs} jobs)`, 'throughput', { system, mode, jobs }));
        }
      }
    }
    if (only.includes('a') || only.includes('a3')) {
      // The same, with 1 producing process (vecron: + the scheduler role) and 2 worker processes each.
      for (const mode of ['drain', 'add-while-processing'] as const) {
        for (const system of ['vecron-distributed', 'vecron-postgres', 'bullmq', 'pg-boss'] as const) {
          const jobs = mode === 'drain' ? plan.aDrain : system.startsWith('vecron') ? plan.aVecron : plan.aPeers;
          report.results.push(await measure(`a3 ${mode} ${system} 1+2 processes (${jobs} jobs)`, 'throughput', { system, mode, jobs, workers: 2 }));
        }
      }
    }
    if (only.includes('b')) {
      for (const [rate, seconds] of plan.bRates) {
        for (const system of ['vecron-distributed', 'vecron-postgres', 'vecron-embedded', 'bullmq', 'pg-boss'] as const) {
          if (system === 'vecron-embedded' && !plan.bEmbedded) continue;
          report.results.push(await measure(`b ${rate}/s ${system}`, 'latency', { system, rate, seconds, drainTimeoutMs: 30_000 }));
        }
      }
    }
    if (only.includes('c')) {
      for (const n of plan.c) report.results.push(await measure(`c ${n} due`, 'lateness', { n }));
      for (const n of plan.cOnce) report.results.push(await measure(`c ${n} due`, 'lateness', { n, timeoutMs: 300_000 }, 1));
    }
    if (only.includes('d')) {
      for (const n of plan.d) {
        const m = await measure(`d ${n} schedules`, 'tick-cost', { n, ticks: plan.dTicks, flushWaitMs: plan.flushWaitMs }, 1);
        // One process per size; its ticks are the runs.
        const ticks = (m.samples[0]?.ticks ?? []) as Array<Record<string, number>>;
        for (const k of ['clientCpuMs', 'mainCpuMs', 'otherThreadsCpuMs', 'gcMs', 'pgCpuMs', 'wallMs', 'rowsRead', 'fired'] as const) {
          const xs = ticks.map((t) => t[k]!).filter(Number.isFinite);
          if (xs.length) m.stats[k] = { median: round(median(xs), 1), min: Math.min(...xs), max: Math.max(...xs) };
        }
        const perFired = ticks.map((t) => ((t.clientCpuMs! + t.pgCpuMs!) * 1000) / Math.max(1, t.fired!));
        if (perFired.length) m.stats.cpuUsPerFired = { median: round(median(perFired), 0), min: round(Math.min(...perFired), 0), max: round(Math.max(...perFired), 0) };
        const schedulerPerFired = ticks.map((t) => (t.clientCpuMs! * 1000) / Math.max(1, t.fired!));
        if (schedulerPerFired.length) m.stats.schedulerUsPerFired = { median: round(median(schedulerPerFired), 0), min: round(Math.min(...schedulerPerFired), 0), max: round(Math.max(...schedulerPerFired), 0) };
        // The first tick after the loop's own, before the warm-up ticks: reported apart (cold JIT).
        const cold = m.samples[0]?.coldTick as Record<string, number> | undefined;
        if (cold) {
          const us = round((cold.clientCpuMs! * 1000) / Math.max(1, cold.fired!), 0);
          m.stats.coldSchedulerUsPerFired = { median: us, min: us, max: us };
        }
        m.runs = ticks.length;
        report.results.push(m);
      }
    }
    if (only.includes('e')) report.results.push(await measure('e 10k schedules', 'memory', { n: 10_000 }, Math.min(runs, 3)));
    if (only.includes('g')) {
      // g: start() and idle memory of the embedded default next to BullMQ and pg-boss (issue 12).
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vecron-bench-g-'));
      const schema = `pgboss_g_${runId}`;
      try {
        report.results.push(await measure('g start vecron-embedded-new-dir', 'startup', { system: 'vecron-embedded-new-dir' }));
        await child('startup', { system: 'vecron-embedded-new-dir', shared: dataDir });
        report.results.push(await measure('g start vecron-embedded-reopen', 'startup', { system: 'vecron-embedded-reopen', shared: dataDir }));
        report.results.push(await measure('g start vecron-embedded-memory', 'startup', { system: 'vecron-embedded-memory' }));
        report.results.push(await measure('g start bullmq', 'startup', { system: 'bullmq' }));
        report.results.push(await measure('g start pg-boss-first (installs its schema)', 'startup', { system: 'pg-boss-first' }));
        await child('startup', { system: 'pg-boss-again', shared: schema });
        report.results.push(await measure('g start pg-boss-again', 'startup', { system: 'pg-boss-again', shared: schema }));
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    if (only.includes('f')) report.results.push(await measure(`f kill -9 (${plan.fK} in flight, lease ${plan.fLeaseMs / 1000} s)`, 'recovery', { k: plan.fK, stepMs: 2_000, leaseMs: plan.fLeaseMs }));
    if (profile) {
      rmSync(profileDir, { recursive: true, force: true });
      mkdirSync(profileDir, { recursive: true });
      log('profiling a (vecron-distributed, add-while-processing), c (1k due), d (100k schedules)');
      await child('throughput', { system: 'vecron-distributed', mode: 'add-while-processing', jobs: plan.aVecron }, 'a-vecron-distributed');
      await child('lateness', { n: 1_000 }, 'c-1k');
      await child('tick-cost', { n: 100_000, ticks: 2, flushWaitMs: 1_000 }, 'd-100k');
      for (const name of readdirSync(profileDir)) {
        const dir = path.join(profileDir, name);
        const files = readdirSync(dir).filter((x) => x.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
        const summaries = files.map((f) => summariseProfile(f, 15)).sort((x, y) => y.totalMs - x.totalMs);
        if (summaries[0]) report.profiles.push({ name, top: summaries[0] });
      }
    }
  } finally {
    report.machine.loadAfter = loadAvg();
    report.finishedAt = new Date().toISOString();
    await withPg(PG_ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)).catch((e: unknown) => log(`drop ${db}: ${String(e)}`));
  }
  mkdirSync(path.join(here, 'results'), { recursive: true });
  const base = path.join(here, 'results', `${started.toISOString().slice(0, 10)}${quick ? '-quick' : ''}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.md`, renderMarkdown(report));
  log(`wrote ${base}.json and .md in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
}

await main();
