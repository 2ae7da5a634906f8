import type { Router } from 'express';
import type { DashboardData } from '../data.js';
import type { Kit } from '../kit.js';
import { pageOf, str } from '../kit.js';
import { jobOptions } from '../views/executions.js';
import { jobHeader, ledgerCard } from '../views/job-detail.js';
import { countersView, jobsTable } from '../views/jobs.js';

/** Typeahead answers list this many jobs. */
const TYPEAHEAD_LIMIT = 20;

/** The parts of pages that live updates and htmx reload. */
export function fragmentRoutes(router: Router, kit: Kit, data: DashboardData): void {
  const { state, need, send } = kit;
  router.get('/fragments/counters', async (req, res) => {
    need(res, 'execution:read');
    await send(req, res, countersView(state(res).view, await data.counters(res)));
  });
  router.get('/fragments/jobs', async (req, res) => {
    need(res, 'job:read');
    const filter = data.jobFilter(req);
    const { rows, hasMore } = await data.jobRows(res, pageOf(req), filter);
    await send(req, res, jobsTable(state(res).view, rows, pageOf(req), hasMore, filter));
  });
  // Job typeahead of the executions filter: names matching what was typed, searched by the store.
  router.get('/fragments/job-options', async (req, res) => {
    need(res, 'job:read');
    const q = (str(req.query.job) ?? '').slice(0, 200);
    const jobs = await kit.cron.jobs.list({ ...(q ? { search: q } : {}), limit: TYPEAHEAD_LIMIT });
    await send(req, res, jobOptions(jobs.map((j) => ({ id: j.id, name: j.name }))));
  });
  router.get('/fragments/executions', async (req, res) => {
    need(res, 'execution:read');
    const mode = str(req.query.mode);
    await send(req, res, await data.executionsSection(res, await data.executionQuery(req), mode === 'compact' || mode === 'dlq' ? mode : 'list'));
  });
  router.get('/fragments/jobs/:id/header', async (req, res) => {
    need(res, 'job:read');
    await send(req, res, jobHeader(state(res).view, await data.mustGetJob(req)));
  });
  router.get('/fragments/jobs/:id/ledger', async (req, res) => {
    need(res, 'job:read');
    const job = await data.mustGetJob(req);
    await send(req, res, ledgerCard(state(res).view, job.id, await data.recentLedger(job.id)));
  });
  router.get('/fragments/executions/:id', async (req, res) => {
    need(res, 'execution:read');
    await send(req, res, await data.executionSection(res, await data.mustGetExecution(req, res)));
  });
}
