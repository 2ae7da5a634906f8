import type { Request, Response, Router } from 'express';
import type { DashboardData } from '../data.js';
import { html } from '../html.js';
import type { SafeHtml } from '../html.js';
import type { Kit } from '../kit.js';
import { pageOf } from '../kit.js';
import { deadLetterTools, executionFilters } from '../views/executions.js';
import { BULK_MAX } from './actions.js';
import { jobHistorySection } from './history.js';
import { logsPanel } from './logs.js';
import { jobDetailBody, jobHeader } from '../views/job-detail.js';
import { runWithPayload } from '../views/job-editor.js';
import { jobFilters, jobsTable } from '../views/jobs.js';

/** The full pages: jobs, job detail, executions, execution detail, dead letters. */
export function pageRoutes(router: Router, kit: Kit, data: DashboardData): void {
  router.get('/', jobsPage(kit, data));

  router.get('/jobs/:id', jobPage(kit, data));

  router.get('/executions', executionsPage(kit, data));

  router.get('/executions/:id', executionPage(kit, data));

  router.get('/dead-letters', deadLettersPage(kit, data));
}

/** An Express route handler (its rejections reach the error handler). */
type RouteHandler = (req: Request, res: Response) => Promise<void>;

/** `/`: the jobs list, with the newest executions. */
function jobsPage(kit: Kit, data: DashboardData): RouteHandler {
  const { state, need } = kit;
  return async (req, res) => {
    need(res, 'job:read');
    const v = state(res).view;
    const pageNo = pageOf(req);
    const filter = data.jobFilter(req);
    const { rows, hasMore } = await data.jobRows(res, pageNo, filter);
    const recent = state(res).allowed.has('execution:read') ? await data.executionsSection(res, {}, 'compact') : null;
    await kit.page(req, res, {
      title: v.t('jobs.title'), section: 'jobs', counters: await data.countersIfAllowed(res),
      body: html`<div class="page-head"><h1>${v.t('jobs.title')}</h1>${v.can('job:write') && !v.readOnly ? html`<a class="btn btn-primary" href="${v.url('/editor/new')}" data-testid="new-job">${v.t('editor.newJob')}</a>` : ''}${kit.options.importer && v.can('job:import') && !v.readOnly ? html`<a class="btn btn-plain" href="${v.url('/editor/import')}" data-testid="import-jobs">${v.t('import.title')}</a>` : ''}</div>
${jobFilters(v, filter)}
${jobsTable(v, rows, pageNo, hasMore, filter)}
${recent ? html`<h2 class="section-title">${v.t('jobs.recent')}</h2>${recent}` : ''}`,
    });
  };
}

/** `/jobs/:id`: one job with its schedule explanation, ledger, variables, history and newest executions. */
function jobPage(kit: Kit, data: DashboardData): RouteHandler {
  const { cron, state, need } = kit;
  return async (req, res) => {
    need(res, 'job:read');
    const v = state(res).view;
    const job = await data.mustGetJob(req);
    const [explanation, ledger, variables] = await Promise.all([
      job.enabled
        ? cron.explain(job.id, { n: 10 }).catch((err: unknown) => {
            kit.onError(err, req);
            return null;
          })
        : Promise.resolve(null),
      data.recentLedger(job.id),
      state(res).allowed.has('variable:read') ? cron.variables.list(job.id).then(async (own) => [...(await cron.variables.list(null)), ...own]) : Promise.resolve(null),
    ]);
    const executions = state(res).allowed.has('execution:read') ? await data.executionsSection(res, { job: job.id }, 'compact') : null;
    const history = state(res).allowed.has('execution:read') ? await jobHistorySection(kit, req, res, job.id) : null;
    await kit.page(req, res, {
      title: job.name, section: 'jobs', counters: await data.countersIfAllowed(res),
      body: html`${jobHeader(v, job)}
${runWithPayload(v, job)}
${history ?? ''}
${executions ? html`<section class="card"><h2>${v.t('jobs.recent')} · <a class="small" href="${v.url('/executions', { job: job.id })}">${v.t('nav.executions')} →</a></h2>${executions}</section>` : ''}
${jobDetailBody(v, { job, explanation, ledger, variables })}`,
    });
  };
}

/** `/executions`: the filtered executions list. */
function executionsPage(kit: Kit, data: DashboardData): RouteHandler {
  const { cron, state, need } = kit;
  return async (req, res) => {
    need(res, 'execution:read');
    const v = state(res).view;
    const q = await data.executionQuery(req);
    // The chosen job is always named in the filter, however many jobs there are.
    const chosen = q.job ? await cron.jobs.get(q.job) : null;
    await kit.page(req, res, {
      title: v.t('executions.title'), section: 'executions', counters: await data.countersIfAllowed(res),
      body: html`<div class="page-head"><h1>${v.t('executions.title')}</h1></div>
${executionFilters(v, q, chosen ? { id: chosen.id, name: chosen.name } : null)}
${await data.executionsSection(res, q, 'list')}`,
    });
  };
}

/** `/executions/:id`: one execution with its steps and logs. */
function executionPage(kit: Kit, data: DashboardData): RouteHandler {
  const { state, need } = kit;
  return async (req, res) => {
    need(res, 'execution:read');
    const e = await data.mustGetExecution(req, res);
    const [section, logs] = await Promise.all([data.executionSection(res, e), logsPanel(kit, res, e)]);
    await kit.page(req, res, { title: state(res).view.t('execution.title', { id: e.id.slice(0, 8) }), section: 'executions', body: html`${section}
${logs}`, counters: await data.countersIfAllowed(res) });
  };
}

/** `/dead-letters`: open or replayed dead letters, with the bulk tools. */
function deadLettersPage(kit: Kit, data: DashboardData): RouteHandler {
  const { cron, state, need } = kit;
  return async (req, res) => {
    need(res, 'execution:read');
    const v = state(res).view;
    const q = await data.executionQuery(req);
    const replayed = q.replayed === true;
    const chosen = q.job ? await cron.jobs.get(q.job) : null;
    const tab = (on: boolean, label: string): SafeHtml =>
      html`<a href="${v.url('/dead-letters', { replayed: on ? 1 : undefined, job: q.job })}"${on === replayed ? html` aria-current="page"` : ''}>${label}</a>`;
    await kit.page(req, res, {
      title: v.t('deadLetters.title'), section: 'dead-letters', counters: await data.countersIfAllowed(res),
      body: html`<div class="page-head"><h1>${v.t('deadLetters.title')}</h1><span class="muted">${v.t('deadLetters.intro')}</span></div>
<nav class="tabs" aria-label="${v.t('deadLetters.title')}">${tab(false, v.t('deadLetters.open'))}${tab(true, v.t('deadLetters.replayed'))}</nav>
${deadLetterTools(v, q, chosen, BULK_MAX)}
${await data.executionsSection(res, q, 'dlq')}`,
    });
  };
}
