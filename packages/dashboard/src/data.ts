import type { Request, Response } from 'express';
import { EXECUTION_STATUSES, NotFoundError } from '@vecron/sdk';
import { instantsForLocal, offsetAt } from '@vecron/sdk/schedule';
import type { Execution, ExecutionStatus, Job, LedgerEntry, TriggerSource } from '@vecron/sdk';
import type { SafeHtml } from './html.js';
import type { Kit } from './kit.js';
import { str, UUID } from './kit.js';
import { FAILURE_STATUSES } from './views/charts.js';
import { executionDetail } from './views/execution-detail.js';
import { executionsTable, SOURCES } from './views/executions.js';
import type { ExecutionQuery } from './views/executions.js';
import { countersView } from './views/jobs.js';
import type { Counters, JobFilter, JobRow } from './views/jobs.js';

const PAGE_SIZE = 25;
const JOBS_PAGE_SIZE = 50;
/** Runs in the history strip of each row of the jobs page. */
export const STRIP_RUNS = 20;
/** Counters stop counting here and show `1000+`. */
export const COUNT_CAP = 1000;
/** Statuses counted as failures (defined with the charts that colour them). */
export { FAILURE_STATUSES };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f-]{36})$/i;

/** The keyset cursor of a row: `<created_at ISO>_<id>`. */
export const formatCursor = (e: Pick<Execution, 'createdAt' | 'id'>): string => `${e.createdAt.toISOString()}_${e.id}`;

/** A cursor back to its row key, or null when malformed. */
export function parseCursor(text: string): { createdAt: Date; id: string } | null {
  const m = CURSOR.exec(text);
  if (!m || !UUID.test(m[2]!)) return null;
  const createdAt = new Date(m[1]!);
  return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id: m[2]!.toLowerCase() };
}

/** The first instant of a local date (plus `plusDays`) in a zone; a midnight in a DST gap is the gap's end. */
export function startOfLocalDay(date: string, plusDays: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const naive = new Date(Date.UTC(y, m - 1, d + plusDays));
  const local = { year: naive.getUTCFullYear(), month: naive.getUTCMonth() + 1, day: naive.getUTCDate(), hour: 0, minute: 0, second: 0 };
  const exact = instantsForLocal(local, timeZone)[0];
  return new Date(exact ?? naive.getTime() - offsetAt(naive.getTime(), timeZone));
}

/** How the executions table is drawn. */
export type TableMode = 'list' | 'compact' | 'dlq';

/** The data the pages load through the cron system's public API (never SQL). */
export interface DashboardData {
  counters(res: Response): Promise<Counters>;
  countersIfAllowed(res: Response): Promise<SafeHtml | undefined>;
  /** The jobs filter of the query string (`q`, `enabled`). */
  jobFilter(req: Request): JobFilter;
  jobRows(res: Response, pageNo: number, filter: JobFilter): Promise<{ rows: JobRow[]; hasMore: boolean }>;
  /** The executions filter of the query string (unknown values dropped; `job` is an id or a name). */
  executionQuery(req: Request): Promise<ExecutionQuery>;
  executionsSection(res: Response, q: ExecutionQuery, mode: TableMode): Promise<SafeHtml>;
  mustGetJob(req: Request): Promise<Job>;
  mustGetExecution(req: Request, res: Response): Promise<Execution>;
  executionSection(res: Response, e: Execution): Promise<SafeHtml>;
  recentLedger(jobId: string): Promise<LedgerEntry[]>;
  jobNames(ids: Iterable<string>): Promise<Map<string, string>>;
}

/** Creates the loaders of one router. */
export function createData(kit: Kit): DashboardData {
  return {
    counters: (res) => counters(kit, res),
    countersIfAllowed: async (res) => (kit.state(res).allowed.has('execution:read') ? countersView(kit.state(res).view, await counters(kit, res)) : undefined),
    jobFilter,
    jobRows: (res, pageNo, filter) => jobRows(kit, res, pageNo, filter),
    executionQuery: (req) => executionQuery(kit, req),
    executionsSection: (res, q, mode) => executionsSection(kit, res, q, mode),
    mustGetJob: (req) => mustGetJob(kit, req),
    mustGetExecution: (req, res) => mustGetExecution(kit, req, res),
    executionSection: (res, e) => executionSection(kit, res, e),
    recentLedger: (jobId) => recentLedger(kit, jobId),
    jobNames: (ids) => jobNames(kit, ids),
  };
}

async function counters({ cron, scopeOf }: Kit, res: Response): Promise<Counters> {
  const scope = scopeOf(res);
  const since = new Date(Date.now() - 24 * 3600_000);
  const count = async (status: ExecutionStatus[], from?: Date, extra: { replayed?: boolean; discarded?: boolean } = {}): Promise<number> =>
    (await cron.executions.list({ status, ...(from ? { createdFrom: from } : {}), ...extra, ...scope, limit: COUNT_CAP })).length;
  const [running, pending, success24h, failed24h, deadLetters] = await Promise.all([
    count(['running', 'cancelling']), count(['pending']), count(['success'], since), count(FAILURE_STATUSES, since), count(['dead_letter'], undefined, { replayed: false, discarded: false }),
  ]);
  return { running, pending, success24h, failed24h, deadLetters, cap: COUNT_CAP };
}

async function jobNames({ cron }: Kit, ids: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await Promise.all([...new Set(ids)].map(async (id) => {
    const j = await cron.jobs.get(id);
    if (j) out.set(id, j.name);
  }));
  return out;
}

function jobFilter(req: Request): JobFilter {
  const q = str(req.query.q)?.trim().slice(0, 200);
  const enabled = str(req.query.enabled);
  return { ...(q ? { q } : {}), ...(enabled === 'true' || enabled === 'false' ? { enabled } : {}) };
}

async function jobRows({ cron, state, scopeOf }: Kit, res: Response, pageNo: number, filter: JobFilter): Promise<{ rows: JobRow[]; hasMore: boolean }> {
  const jobs = await cron.jobs.list({
    ...(filter.q ? { search: filter.q } : {}), ...(filter.enabled ? { enabled: filter.enabled === 'true' } : {}),
    limit: JOBS_PAGE_SIZE + 1, offset: (pageNo - 1) * JOBS_PAGE_SIZE,
  });
  const seeExecutions = state(res).allowed.has('execution:read');
  const shown = jobs.slice(0, JOBS_PAGE_SIZE);
  // One read for the whole page: each job's newest runs (the strip; the first is the last status).
  const latest = seeExecutions ? await cron.executions.latestPerJob(shown.map((j) => j.id), { perJob: STRIP_RUNS, ...scopeOf(res) }) : null;
  const rows = await Promise.all(
    shown.map(async (job): Promise<JobRow> => {
      const nextFires = job.enabled && job.definition.schedule ? await cron.jobs.preview(job.id, 2).catch(() => []) : [];
      const recent = latest?.get(job.id) ?? [];
      return { job, nextFires, last: recent[0] ?? null, recent };
    }),
  );
  return { rows, hasMore: jobs.length > JOBS_PAGE_SIZE };
}

async function executionQuery({ cron }: Kit, req: Request): Promise<ExecutionQuery> {
  const status = str(req.query.status);
  const jobText = str(req.query.job)?.slice(0, 200);
  const source = str(req.query.source);
  const replayed = str(req.query.replayed) === '1';
  const from = str(req.query.from);
  const to = str(req.query.to);
  const after = str(req.query.after);
  let job: Partial<ExecutionQuery> = {};
  if (jobText) {
    const found = (UUID.test(jobText) ? await cron.jobs.get(jobText) : null) ?? (await cron.jobs.getByName(jobText));
    job = found ? { job: found.id } : { jobName: jobText };
  }
  return {
    ...(status && (EXECUTION_STATUSES as readonly string[]).includes(status) ? { status } : {}),
    ...job,
    ...(replayed ? { replayed } : {}),
    ...(from && ISO_DATE.test(from) ? { from } : {}),
    ...(to && ISO_DATE.test(to) ? { to } : {}),
    ...(after && parseCursor(after) ? { after } : {}),
    ...(source && (SOURCES as readonly string[]).includes(source) ? { source } : {}),
  };
}

async function executionsSection(kit: Kit, res: Response, q: ExecutionQuery, mode: TableMode): Promise<SafeHtml> {
  const size = mode === 'compact' ? 10 : PAGE_SIZE;
  const items = await listExecutions(kit, res, q, mode, size);
  const shown = items.slice(0, size);
  const replayedBy = mode === 'dlq' && q.replayed ? await replaysOf(kit, shown) : undefined;
  const last = shown[shown.length - 1];
  return executionsTable(kit.state(res).view, {
    items: shown, jobNames: await jobNames(kit, shown.map((e) => e.jobId)), query: q, mode,
    next: items.length > size && last ? formatCursor(last) : null,
    pagePath: mode === 'dlq' ? '/dead-letters' : '/executions', ...(replayedBy ? { replayedBy } : {}),
  });
}

/** One page of the executions table plus one row (to tell whether there is a next page). */
async function listExecutions(kit: Kit, res: Response, q: ExecutionQuery, mode: TableMode, size: number): Promise<Execution[]> {
  const cursor = mode === 'compact' || !q.after ? null : parseCursor(q.after);
  const day = (date: string, plusDays = 0): Date => startOfLocalDay(date, plusDays, kit.timeZone);
  // A typed name that names no job matches nothing.
  if (q.jobName !== undefined) return [];
  return kit.cron.executions.list({
    ...(mode === 'dlq' ? { status: 'dead_letter' as ExecutionStatus } : q.status ? { status: q.status as ExecutionStatus } : {}),
    ...(q.job ? { jobId: q.job } : {}),
    ...(q.source ? { triggerSource: q.source as TriggerSource } : {}),
    // Dead letters leave the list once replayed; `?replayed=1` shows those (history is kept).
    ...(mode === 'dlq' ? (q.replayed ? { replayed: true } : { replayed: false, discarded: false }) : {}),
    ...(q.from ? { createdFrom: day(q.from) } : {}),
    ...(q.to ? { createdTo: day(q.to, 1) } : {}),
    ...(cursor ? { after: cursor } : {}),
    ...kit.scopeOf(res),
    limit: size + 1,
  });
}

/** The replay of each replayed dead letter, by the dead letter's id. */
async function replaysOf({ cron }: Kit, shown: Execution[]): Promise<Map<string, string>> {
  const replayedBy = new Map<string, string>();
  await Promise.all(shown.map(async (e) => {
    const [r] = await cron.executions.list({ triggerMetadata: { replay_of: e.id }, limit: 1 });
    if (r) replayedBy.set(e.id, r.id);
  }));
  return replayedBy;
}

async function mustGetJob(kit: Kit, req: Request): Promise<Job> {
  const id = kit.uuidParam(req, 'job');
  const job = await kit.cron.jobs.get(id);
  if (!job) throw new NotFoundError('job', id);
  return job;
}

async function mustGetExecution(kit: Kit, req: Request, res: Response): Promise<Execution> {
  const id = kit.uuidParam(req, 'execution');
  const e = await kit.cron.executions.get(id);
  // Someone else's execution is reported as missing: its existence is not theirs to learn.
  if (!e || !kit.canSee(res, e)) throw new NotFoundError('execution', id);
  return e;
}

async function executionSection(kit: Kit, res: Response, e: Execution): Promise<SafeHtml> {
  const [job, steps] = await Promise.all([kit.cron.jobs.get(e.jobId), kit.cron.executions.steps(e.id)]);
  const clean = await kit.scrub(e.jobId, { context: e.context, error: e.error, steps });
  return executionDetail(kit.state(res).view, { execution: { ...e, context: clean.context, error: clean.error }, job, steps: clean.steps });
}

async function recentLedger({ cron }: Kit, jobId: string): Promise<LedgerEntry[]> {
  const entries = await cron.ledger(jobId, { from: new Date(Date.now() - 7 * 24 * 3600_000), limit: 5_000 });
  return entries.slice(-50).reverse();
}
