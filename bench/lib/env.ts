/**
 * Shared plumbing of the benchmarks: service URLs (env with loopback defaults), names that keep
 * one run apart from others on shared servers, statistics, and CPU counters of the servers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';

export const PG_ADMIN_URL = process.env.VECRON_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.VECRON_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.VECRON_BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';

/** URL of database `db` on the same server as {@link PG_ADMIN_URL}. */
export function pgUrl(db: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One short-lived connection, for admin queries and counters (never inside a timed window). */
export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Transactions committed in `db` so far (pg_stat_database.xact_commit, after forcing a stats flush). */
export async function xactCommits(url: string, db: string): Promise<number> {
  // Other backends flush their counters at most once a second; wait for that, then read a fresh snapshot.
  await sleep(1_100);
  return withPg(url, async (c) => {
    await c.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await c.query<{ n: string }>('SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1', [db]);
    return Number(rows[0]?.n ?? 0);
  });
}

const TICKS = 100; // USER_HZ on Linux

/** utime+stime in ms of a process, or 0 when it is gone. */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return 0;
  }
}

/** PIDs of the PostgreSQL backends connected to `db`. */
export async function pgBackendPids(adminUrl: string, db: string): Promise<number[]> {
  return withPg(adminUrl, async (c) => {
    const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db]);
    return rows.map((r) => r.pid);
  });
}

/** PIDs of processes whose command name is `name` (e.g. nats-server, redis-server). */
export function pidsOf(name: string): number[] {
  try {
    return execFileSync('pidof', [name], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * PIDs of the server listening on the port of `url` (`ss -ltnp`): the benchmark's own Redis or
 * NATS, not every `redis-server` on the machine (other test runs start private ones).
 */
export function pidsListeningOn(url: string): number[] {
  const port = new URL(url).port;
  try {
    const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    return [...new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))];
  } catch {
    return [];
  }
}

/** A CPU meter over a set of server processes sampled at start and end (pids read at the end count from 0). */
export function serverCpuMeter(pids: () => Promise<number[]> | number[]) {
  let start = new Map<number, number>();
  return {
    async begin(): Promise<void> {
      start = new Map((await pids()).map((p) => [p, procCpuMs(p)]));
    },
    async end(): Promise<number> {
      const now = new Set([...(await pids()), ...start.keys()]);
      let ms = 0;
      for (const p of now) ms += Math.max(0, procCpuMs(p) - (start.get(p) ?? 0));
      return ms;
    },
  };
}

/** Client CPU of this process in ms since `since`. */
export function cpuMsSince(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/** What a per-message benchmark reports: client CPU (`cpu`, a `process.cpuUsage` difference) per message, and throughput, for `n` messages in `wallMs`. */
export function perMessage(cpu: NodeJS.CpuUsage, wallMs: number, n: number): { cpuUsPerMessage: number; userUsPerMessage: number; wallMs: number; messagesPerSecond: number } {
  return {
    cpuUsPerMessage: Number(((cpu.user + cpu.system) / n).toFixed(2)),
    userUsPerMessage: Number((cpu.user / n).toFixed(2)),
    wallMs: Math.round(wallMs), messagesPerSecond: Math.round(n / (wallMs / 1000)),
  };
}

export const loadAvg = (): number[] => os.loadavg().map((x) => Math.round(x * 100) / 100);

/** Percentile (nearest rank) of a sorted array. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const round = (x: number, d = 2): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

/** A short id for names of databases, schemas, streams and key prefixes. */
export const shortId = (): string => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Runs `fn` over `items` with at most `width` in flight. */
export async function pool<T>(items: number, width: number, fn: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items) }, async () => {
    while (next < items) {
      const i = next++;
      await fn(i);
    }
  });
  await Promise.all(lanes);
}
