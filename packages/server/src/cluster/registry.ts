import os from 'node:os';
import { ConfigError } from '@vecron/sdk';
import type { SqlClient, Storage } from '@vecron/sdk';
import type { Logger } from 'pino';
import { compareFingerprints } from './fingerprint.js';
import type { Drift, Fingerprint } from './fingerprint.js';

/** A process of the cluster, as `GET /api/cluster` shows it. */
export interface ClusterProcess {
  id: string;
  role: string;
  version: string;
  hostname: string;
  pid: number;
  fingerprint: Fingerprint;
  started_at: string;
  heartbeat_at: string;
  /** How long ago its last heartbeat was, on the database's clock. */
  heartbeat_age_ms: number;
  /** Executions whose live lease this process holds. */
  held_executions: number;
  /** Whether this is the process answering. */
  self: boolean;
  /** A drain was requested: this worker takes no new work. */
  draining: boolean;
}

/** This process's entry in `vecron_processes`, its heartbeat and the drift check. */
export interface ProcessRegistry {
  readonly id: string;
  /**
   * Registers this process and compares its fingerprint with every live one. Throws a
   * ConfigError naming the key when a disagreement would lose work (queue names); logs the others.
   */
  start(): Promise<Drift[]>;
  /** Live processes (heartbeat within the staleness bound), this one included. */
  live(): Promise<ClusterProcess[]>;
  /** Disagreements found at the last heartbeat. */
  drift(): Drift[];
  /**
   * Asks the worker of process `id` to drain (stop taking work; finish or hand back what it
   * holds): it notices at its next heartbeat. Returns false when no live process has that id.
   */
  requestDrain(id: string, by: string | null): Promise<boolean>;
  /** Stops the heartbeat and removes this process's row. */
  stop(): Promise<void>;
}

/** Options of {@link createProcessRegistry}. */
export interface ProcessRegistryOptions {
  /** The server's own tables (`vecron_processes`). */
  sql: SqlClient;
  /** The core's data: how many executions each process holds. */
  storage: Pick<Storage, 'countHeldExecutions'>;
  id: string;
  role: string;
  fingerprint: Fingerprint;
  logger: Logger;
  /** @default 5000 */
  heartbeatMs?: number;
  /** A process whose heartbeat is older than this is dead. @default 30000 */
  staleMs?: number;
  /** Called once when a drain of this process is requested (see {@link ProcessRegistry.requestDrain}). */
  onDrain?: () => Promise<void>;
  /** Called with every live process (this one included) at start and at each heartbeat. */
  onLive?: (processes: ClusterProcess[]) => void;
}

interface Row {
  id: string;
  role: string;
  version: string;
  hostname: string;
  pid: number;
  fingerprint: Fingerprint | string;
  started_at: string | Date;
  heartbeat_at: string | Date;
  age_ms: string | number;
  draining: boolean;
}

const iso = (v: string | Date): string => new Date(v).toISOString();

/** Live processes of the cluster (heartbeat within `staleMs`, on the database's clock); `selfId` marks this one. */
export async function liveProcesses(
  db: { sql: SqlClient; storage: Pick<Storage, 'countHeldExecutions'> },
  staleMs = 30_000,
  selfId: string | null = null,
): Promise<ClusterProcess[]> {
  const [{ rows }, held] = await Promise.all([
    db.sql.query<Row>(
      `SELECT p.id, p.role, p.version, p.hostname, p.pid, p.fingerprint, p.started_at, p.heartbeat_at,
              extract(epoch FROM (now() - p.heartbeat_at)) * 1000 AS age_ms, p.drain_requested_at IS NOT NULL AS draining
       FROM vecron_processes p
       WHERE p.heartbeat_at > now() - ($1::double precision * interval '1 millisecond')
       ORDER BY p.role, p.started_at`,
      [staleMs],
    ),
    db.storage.countHeldExecutions(),
  ]);
  return rows.map((r) => ({
    id: r.id, role: r.role, version: r.version, hostname: r.hostname, pid: Number(r.pid),
    fingerprint: typeof r.fingerprint === 'string' ? (JSON.parse(r.fingerprint) as Fingerprint) : r.fingerprint,
    started_at: iso(r.started_at), heartbeat_at: iso(r.heartbeat_at),
    heartbeat_age_ms: Math.max(0, Math.round(Number(r.age_ms))), held_executions: held[r.id] ?? 0, self: r.id === selfId, draining: Boolean(r.draining),
  }));
}

/** Creates the registry of this process (times come from the database's clock, so hosts need not agree). */
export function createProcessRegistry(o: ProcessRegistryOptions): ProcessRegistry {
  const heartbeatMs = o.heartbeatMs ?? 5_000;
  const staleMs = o.staleMs ?? 30_000;
  let timer: NodeJS.Timeout | null = null;
  let latest: Drift[] = [];
  const reported = new Set<string>();

  const live = (): Promise<ClusterProcess[]> => liveProcesses(o, staleMs, o.id);

  async function check(): Promise<Drift[]> {
    const all = await live();
    o.onLive?.(all);
    const others = all.filter((p) => !p.self);
    latest = compareFingerprints(o.fingerprint, o.role, others);
    for (const d of latest) {
      const key = `${d.key}|${d.process}`;
      if (reported.has(key)) continue;
      reported.add(key);
      o.logger.warn({ drift: d }, `configuration drift: ${d.message}`);
    }
    return latest;
  }

  let drained = false;
  async function beat(): Promise<void> {
    await o.sql.query('UPDATE vecron_processes SET heartbeat_at = now() WHERE id = $1', [o.id]);
    await check();
    if (!drained && o.onDrain) {
      const { rows } = await o.sql.query(`SELECT 1 FROM vecron_processes WHERE id = $1 AND drain_requested_at IS NOT NULL`, [o.id]);
      if (rows.length) {
        drained = true;
        o.logger.warn('drain requested: taking no new work, finishing or handing back what this worker holds');
        await o.onDrain();
        o.logger.warn('drained: this worker holds no execution');
      }
    }
  }

  return {
    id: o.id,
    async start() {
      const drift = compareFingerprints(o.fingerprint, o.role, (await live()).filter((p) => p.id !== o.id));
      const refused = drift.filter((d) => d.severity === 'refuse');
      if (refused.length) {
        throw new ConfigError('cluster configuration', refused.map((d) => ({ path: `$.${d.key}`, message: d.message })));
      }
      await o.sql.query(
        `INSERT INTO vecron_processes (id, role, version, hostname, pid, fingerprint, started_at, heartbeat_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, now(), now())
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), fingerprint = EXCLUDED.fingerprint`,
        [o.id, o.role, o.fingerprint.version, os.hostname(), process.pid, JSON.stringify(o.fingerprint)],
      );
      // Rows of processes dead for a day are history, not cluster state.
      await o.sql.query(`DELETE FROM vecron_processes WHERE heartbeat_at < now() - interval '1 day'`);
      const found = await check();
      timer = setInterval(() => {
        beat().catch((err: unknown) => o.logger.warn({ err }, 'cluster heartbeat failed; retrying'));
      }, heartbeatMs);
      timer.unref();
      return found;
    },
    live,
    drift: () => latest,
    async requestDrain(id, by) {
      if (!(await live()).some((p) => p.id === id)) return false;
      await o.sql.query(`UPDATE vecron_processes SET drain_requested_at = now(), drain_requested_by = $2 WHERE id = $1 AND drain_requested_at IS NULL`, [id, by]);
      return true;
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await o.sql.query('DELETE FROM vecron_processes WHERE id = $1', [o.id]);
    },
  };
}
